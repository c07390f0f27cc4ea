import Foundation
import WhittleCodegen
import WhittleIR
import WhittleNN
import WhittleSupport
import WhittleVerify

/// `bench --mlperf`: MLPerf Tiny's four int8 reference models, imported from the repository's
/// copies (Tests/WhittleTFLiteTests/Fixtures/mlperf-tiny) with their shared vectors, on every
/// bare-metal target: bit-exact against TFLite's reference outputs, instructions and estimated
/// cycles per inference (the target's timing table), flash, RAM, the arena against its lower
/// bound; beside them the published Cortex-M4 cycle counts of other engines.
struct MLPerfTinyBench {
    /// Published latency × clock on a NUCLEO-L4R5ZI (Cortex-M4, 120 MHz), MLPerf Tiny closed
    /// division results: TFLM + CMSIS-NN (v0.5), X-CUBE-AI 9.0 (v1.2), Plumerai (v1.1).
    struct Published {
        var tflmCMSISNN: Double
        var xCubeAI: Double
        var plumerai: Double
    }

    static let models: [(file: String, task: String, published: Published)] = [
        ("kws_ref_model", "keyword spotting (DS-CNN)", Published(tflmCMSISNN: 21.8e6, xCubeAI: 5.18e6, plumerai: 5.73e6)),
        ("vww_96_int8", "visual wake words (MobileNetV1 0.25)", Published(tflmCMSISNN: 72.1e6, xCubeAI: 10.7e6, plumerai: 11.9e6)),
        ("pretrainedResnet_quant", "image classification (ResNet-8)", Published(tflmCMSISNN: 84.5e6, xCubeAI: 19.8e6, plumerai: 20.1e6)),
        ("ad01_int8", "anomaly detection (FC autoencoder)", Published(tflmCMSISNN: 1.21e6, xCubeAI: 0.63e6, plumerai: 0.49e6)),
    ]

    struct Row: Encodable {
        var model: String
        var target: String
        /// nil when the target is skipped or the model does not fit; `note` says why.
        var bitExactWithTFLite: Bool?
        var instructions: Int?
        var estimatedCycles: Int?
        var flashBytes: Int?
        var ramBytes: Int?
        var arenaBytes: Int?
        var arenaLowerBoundBytes: Int?
        var published: PublishedCycles?
        var note: String?
    }

    struct PublishedCycles: Encodable {
        var tflmCmsisNN: Double
        var xCubeAI: Double
        var plumerai: Double
    }

    var fixtures = URL(fileURLWithPath: "Tests/WhittleTFLiteTests/Fixtures/mlperf-tiny")
    /// Vectors per model (of the 100 shared): counts depend on the data only through clamps.
    var vectors = 8

    func run(quiet: Bool) throws -> [Row] {
        let resources = try WhittleResources.locate()
        let targets = try TargetDescriptor.knownTargets(in: resources).map { try TargetDescriptor.load(named: $0, from: resources) }
            .filter(\.isBareMetal)
        var rows: [Row] = []
        let progress = ProgressLine(quiet: quiet)
        let total = Self.models.count * targets.count
        for model in Self.models {
            let path = fixtures.appendingPathComponent("\(model.file).tflite").path
            let shared = fixtures.appendingPathComponent("vectors/\(model.file)")
            let imported = try TFLiteImportStage(modelPath: path, vectorsPath: shared.appendingPathComponent("inputs.bin").path,
                                                 expectedPath: shared.appendingPathComponent("expected.bin").path).run()
            for target in targets {
                progress.update("mlperf \(ProgressLine.bar(Double(rows.count) / Double(total))) \(rows.count)/\(total) \(model.file) on \(target.name)")
                rows.append(try measure(imported.graph, name: model.file, target: target, resources: resources,
                                        published: target.name == "cortex-m4" ? model.published : nil))
            }
        }
        progress.finish("mlperf: \(rows.count) runs")
        return rows
    }

    private func measure(_ graph: QGraph, name: String, target: TargetDescriptor, resources: WhittleResources, published: Published?) throws -> Row {
        var row = Row(model: name, target: target.name)
        row.published = published.map { PublishedCycles(tflmCmsisNN: $0.tflmCMSISNN, xCubeAI: $0.xCubeAI, plumerai: $0.plumerai) }
        if let missing = Toolchain.missing(for: target).first {
            row.note = "skipped: install \(missing.package)"
            return row
        }
        let folder = try Temporaries.folder(label: "mlperf")
        defer { Temporaries.remove(folder) }
        do {
            let manifest = try Emitter.emit(graph, options: EmitOptions(target: target, modelName: name, vectorCount: vectors),
                                            resources: resources, to: folder).manifest
            row.arenaBytes = manifest.memory.arenaBytes
            row.arenaLowerBoundBytes = manifest.memory.lowerBoundBytes
            let report = try FolderVerifier.verify(folder: folder, resources: resources,
                                                   options: VerifyOptions(sanitize: false, profile: target.timing != nil))
            row.bitExactWithTFLite = report.passed && report.expectedComparison?.bitExact == true
            row.instructions = report.measurement?.instructions?.perInference
            row.estimatedCycles = report.profile?.cycles
            row.flashBytes = report.measurement?.flashBytes
            row.ramBytes = report.measurement?.ramBytes
        } catch {
            row.note = "\(error)".split(separator: "\n").first.map(String.init)
        }
        return row
    }

    /// The table `make bench` prints.
    static func table(_ rows: [Row]) -> String {
        func m(_ v: Int?) -> String { v.map { String(format: "%.2f M", Double($0) / 1e6) } ?? "" }
        var table = TextTable("MLPerf Tiny (int8 .tflite)", "target", "= TFLite ref", "instructions", "est. cycles", "flash B", "RAM B",
                              "arena / bound", "X-CUBE-AI", "est. / X-CUBE-AI", "Plumerai", "TFLM+CMSIS-NN")
        var notes: [String] = []
        for r in rows {
            let ratio = r.estimatedCycles.flatMap { c in r.published.map { String(format: "%.2f×", Double(c) / $0.xCubeAI) } } ?? ""
            let arena = r.arenaBytes.flatMap { a in r.arenaLowerBoundBytes.map { String(format: "%.3f", Double(a) / Double(max($0, 1))) } } ?? ""
            table.add([r.model, r.target, r.bitExactWithTFLite.map { $0 ? "100 %" : "NO" } ?? (r.note == nil ? "" : "—"),
                       m(r.instructions), m(r.estimatedCycles), r.flashBytes.map(grouped) ?? "", r.ramBytes.map(grouped) ?? "", arena,
                       r.published.map { String(format: "%.2f M", $0.xCubeAI / 1e6) } ?? "", ratio,
                       r.published.map { String(format: "%.2f M", $0.plumerai / 1e6) } ?? "",
                       r.published.map { String(format: "%.2f M", $0.tflmCmsisNN / 1e6) } ?? ""])
            if let note = r.note { notes.append("  \(r.model) on \(r.target): \(note)") }
        }
        return ([table.rendered,
                 "  cycles are estimates: executed instructions (QEMU) weighted by each core's timing table (targets/*.json), no wait states;",
                 "  the published engines' cycles are measured on a NUCLEO-L4R5ZI (Cortex-M4, 120 MHz), MLPerf Tiny closed division."]
                + notes).joined(separator: "\n")
    }
}
