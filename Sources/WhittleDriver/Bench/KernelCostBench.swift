import Foundation
import WhittleCodegen
import WhittleNN
import WhittleSupport
import WhittleVerify

/// `whittle bench --kernel-costs`: each target's kernel cost table measured and fitted
/// (`KernelCostMeasurement`), printed, and with `--write` put into its descriptor.
enum KernelCostBench {
    struct Output: Encodable {
        var targets: [Table]
        var skipped: String?

        struct Table: Encodable {
            var target: String
            var samples: Int
            var kernels: [Kernel]
        }

        struct Kernel: Encodable {
            var kernel: String
            var mac: Double
            var borderMac: Double?
            var output: Double
            var decode: Double
            var call: Double
            /// Mean |fit − counted| / counted over the kernel's samples.
            var meanError: Double
        }
    }

    static func run(_ args: inout Arguments) throws -> Int32 {
        let name = try args.option("--target") ?? "all"
        let write = args.flag("--write")
        let json = args.flag("--json")
        try args.finish()
        let resources = try WhittleResources.locate()
        let names = name == "all" ? TargetDescriptor.knownTargets(in: resources) : [name]
        let targets = try names.map { try TargetDescriptor.load(named: $0, from: resources) }
        let (available, skipped) = Toolchain.availability(of: targets)
        var output = Output(targets: [], skipped: Toolchain.skippedLine(skipped))
        for target in targets where available.contains(target.name) {
            let progress = ProgressLine(quiet: json)
            let result = try KernelCostMeasurement.measure(target: target, resources: resources) { kernel, done, total in
                progress.update("kernel costs on \(target.name) \(ProgressLine.bar(Double(done) / Double(total))) \(done)/\(total) \(kernel)")
            }
            progress.finish("kernel costs on \(target.name): \(result.samples.count) samples")
            output.targets.append(table(result))
            if write {
                let url = resources.targets.appendingPathComponent("\(target.name).json")
                let text = try KernelCostTableText.updating(try String(contentsOf: url, encoding: .utf8), with: result.costs)
                try AtomicOutput.write(Data(text.utf8), to: url)
                _ = try TargetDescriptor.load(named: target.name, from: resources) // still a valid descriptor
            }
        }
        if json {
            try Console.json(output)
        } else {
            for t in output.targets {
                var rows = TextTable("kernel costs on \(t.target) (\(t.samples) samples)", "MAC", "border MAC", "output", "decode", "call", "mean error")
                for k in t.kernels {
                    rows.add([k.kernel, number(k.mac), k.borderMac.map(number) ?? "", number(k.output), number(k.decode), number(k.call), percent(k.meanError)])
                }
                print(rows.rendered)
                if write { print("written to targets/\(t.target).json (kernelCosts)") }
                print("")
            }
            if let line = output.skipped { print(line) }
        }
        return 0
    }

    private static func table(_ result: KernelCostMeasurement.Result) -> Output.Table {
        let kernels = result.costs.sorted { $0.key < $1.key }.map { name, cost -> Output.Kernel in
            let samples = result.samples.filter { $0.kernel == name }
            let error = samples.map { abs(cost.instructions($0.work) - Double($0.instructions)) / Double(max($0.instructions, 1)) }.reduce(0, +)
                / Double(max(samples.count, 1))
            return Output.Kernel(kernel: name, mac: cost.perMAC, borderMac: cost.perBorderMAC, output: cost.perOutput,
                                 decode: cost.perDecode, call: cost.perCall, meanError: error)
        }
        return Output.Table(target: result.target, samples: result.samples.count, kernels: kernels)
    }

    private static func number(_ x: Double) -> String { String(format: "%.2f", x) }
}
