// Fuzz target: a `.tflite` flatbuffer, as `whittle import` reads and maps it. Seeds: MLPerf Tiny's four
// models from the test fixtures (fuzz.sh runs from the repository root), and keyword spotting
// exported again by whittle (its metadata entry, the writer's layout).
import Foundation
import WhittleTFLite

enum FuzzTarget {
    static let fixtures = "Tests/WhittleTFLiteTests/Fixtures/mlperf-tiny"

    static func seeds() -> [(name: String, bytes: Data)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        let files = names.filter { $0.hasSuffix(".tflite") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: "\(fixtures)/\(name)").map { (name, $0) }
        }
        guard let kws = try? TFLiteReader.read(from: URL(fileURLWithPath: "\(fixtures)/kws_ref_model.tflite")),
              let graph = try? TFLiteImporter.importModel(kws, modelName: "kws").graph,
              let exported = try? TFLiteExporter.export(graph) else { return files }
        return files + [("exported-kws.tflite", Data(TFLiteWriter.encode(exported)))]
    }

    static func read(_ bytes: Data) {
        guard let model = try? TFLiteReader.decode([UInt8](bytes)) else { return }
        _ = try? TFLiteImporter.importModel(model, modelName: "fuzz")
    }
}
