import Foundation

/// `whittle.json` in an emitted folder: what `verify` and reports need to know about the model
/// without reading the `.q` file again. Written with sorted keys, so it is reproducible.
public struct EmitManifest: Codable, Hashable, Sendable {
    public static let fileName = "whittle.json"
    /// The QGraph the folder was emitted from, without its validation set (vectors/ holds it).
    public static let modelFileName = "whittle.q"
    public static let currentFormat = 3

    public struct Tensor: Codable, Hashable, Sendable {
        /// Height, width, channels.
        public var shape: [Int]
        public var size: Int
        public var scale: Double
        public var zeroPoint: Int32
    }

    public struct Vectors: Codable, Hashable, Sendable {
        public var count: Int
        /// "validation set" or "random".
        public var source: String
        /// The seed of random vectors (nil for validation inputs).
        public var seed: UInt64?
        /// Paths relative to the folder.
        public var inputs: String
        public var expected: String
        public var labels: String?
        public var floatLogits: String?
    }

    public struct Memory: Codable, Hashable, Sendable {
        public var arenaBytes: Int
        /// The sparse kernels' static scratch (0 without sparse layers).
        public var scratchBytes: Int
        public var naiveArenaBytes: Int
        public var naiveActivationBytes: Int
        public var alignment: Int
    }

    public var format: Int
    public var model: String
    public var target: String
    public var input: Tensor
    public var output: Tensor
    public var vectors: Vectors
    public var memory: Memory
    /// Bytes of every table in model_weights.c.
    public var constantBytes: Int
    /// What the same parameters take as float32.
    public var float32ParameterBytes: Int
    /// Multiply-accumulates per inference of the dense model, and those the chosen kernels execute.
    public var macs: Int
    public var executedMacs: Int
    public var kernels: [String]
    public var layers: [LayerReport]

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Reads `whittle.json` from an emitted folder; one-line errors name the file.
    public static func read(from folder: URL) throws -> EmitManifest {
        let url = folder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CodegenError("\(url.path): missing; is \(folder.path) a folder written by whittle emit?")
        }
        let manifest: EmitManifest
        do {
            manifest = try JSONDecoder().decode(EmitManifest.self, from: data)
        } catch {
            throw CodegenError("\(url.path): not a valid whittle manifest (\(error.localizedDescription))")
        }
        guard manifest.format == currentFormat else {
            throw CodegenError("\(url.path): manifest format \(manifest.format), this whittle reads \(currentFormat); emit the folder again")
        }
        return manifest
    }
}
