import Foundation
import WhittleCodegen
import WhittleIR
import WhittleSupport

/// `whittle bench --kernel-costs`: measures, on one target, the instructions of each weight
/// kernel it runs, and fits `KernelCost` (per MAC, per output, per decoded unit, per call) to them.
/// Each sample is a one-layer model (a conv or a fully connected layer of some shape and density,
/// stored in one format) emitted with the graph's formats, built, run and counted: under the
/// emulator's counting plugin on a bare-metal target, under callgrind on the host. Speed runs
/// reach the target's variants (DSP, ready-tap layouts), size runs the kernels without them.
public enum KernelCostMeasurement {
    /// One measured call.
    public struct Sample: Sendable {
        public var kernel: String
        public var work: KernelWork
        public var instructions: Int
    }

    public struct Result: Sendable {
        public var target: String
        public var costs: [String: KernelCost]
        public var samples: [Sample]
    }

    /// Measures every weight kernel `target` can run; `progress` is told each sample's kernel.
    public static func measure(target: TargetDescriptor, resources: WhittleResources,
                               progress: (String, Int, Int) -> Void = { _, _, _ in }) throws -> Result {
        let scratch = Temporaries.path(in: FileManager.default.temporaryDirectory, label: "kernel-costs")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { Temporaries.remove(scratch) }
        let plans = CostSamples.all()
        var samples: [Sample] = []
        var seen = Set<String>()
        for (index, graph) in plans.enumerated() {
            for objective in SparseFormatChoice.Objective.allCases {
                let options = EmitOptions(target: target, modelName: "cost-\(index)", vectorCount: 2,
                                          passes: PassOptions(objective: objective, weightFormats: .stored))
                let folder = scratch.appendingPathComponent("sample\(index)-\(objective.rawValue)")
                let emission = try Emitter.emit(graph, options: options, resources: resources, to: folder)
                defer { try? FileManager.default.removeItem(at: folder) }
                guard let layer = emission.plan.layers.first(where: { $0.weightFormat != nil }),
                      let kernel = KernelRegistry.named(layer.kernel) else { continue }
                // Size and speed often run the same kernel: count each (kernel, sample) once.
                guard seen.insert("\(index)/\(kernel.name)").inserted else { continue }
                progress(kernel.name, index + 1, plans.count)
                let instructions = try count(folder, target: target, resources: resources)
                guard let work = KernelWork.of(emission.loweredGraph.nodes[0], in: emission.loweredGraph, kernel: kernel) else { continue }
                samples.append(Sample(kernel: kernel.name, work: work, instructions: instructions))
            }
        }
        var costs: [String: KernelCost] = [:]
        for (kernel, group) in Dictionary(grouping: samples, by: \.kernel) {
            let w = group.map(\.work)
            let c = CostFit.nonNegative(rows: w.map { [Double($0.interiorMACs), Double($0.borderMACs), Double($0.outputs), Double($0.decodes), 1] },
                                        targets: group.map { Double($0.instructions) })
            costs[kernel] = KernelCost(perMAC: rounded(c[0]), perBorderMAC: w.contains { $0.borderMACs > 0 } ? rounded(c[1]) : nil,
                                       perOutput: rounded(c[2]), perDecode: rounded(c[3]), perCall: rounded(c[4]))
        }
        return Result(target: target.name, costs: costs, samples: samples)
    }

    /// Instructions per inference of an emitted folder on its target.
    private static func count(_ folder: URL, target: TargetDescriptor, resources: WhittleResources) throws -> Int {
        let report = try FolderVerifier.verify(folder: folder, resources: resources,
                                               options: VerifyOptions(sanitize: false, measureCost: !target.isBareMetal))
        guard report.passed else { throw VerifyCheckFailure("\(folder.path): \(report.failure ?? "failed")") }
        if let n = report.measurement?.instructions?.perInference ?? report.cost?.instructionsPerInference { return n }
        throw VerifyCheckFailure("\(target.name): instructions not counted (\(report.measurement?.countingNote ?? "valgrind is not installed"))")
    }

    private static func rounded(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
