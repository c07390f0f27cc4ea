// Fuzz target: a `.tflite` flatbuffer, as `whittle import` reads it. Seeds: MLPerf Tiny's four
// models from the test fixtures (fuzz.sh runs from the repository root).
import Foundation
import WhittleTFLite

enum FuzzTarget {
    static let fixtures = "Tests/WhittleTFLiteTests/Fixtures/mlperf-tiny"

    static func seeds() -> [(name: String, bytes: Data)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.filter { $0.hasSuffix(".tflite") }.sorted().compactMap { name in
            FileManager.default.contents(atPath: "\(fixtures)/\(name)").map { (name, $0) }
        }
    }

    static func read(_ bytes: Data) { _ = try? TFLiteReader.decode([UInt8](bytes)) }
}
