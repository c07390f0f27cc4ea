import Foundation
import WhittleCodegen

/// The test vectors of an emitted folder, checked against the manifest's sizes.
public struct EmittedVectors: Sendable {
    public var count: Int
    public var inputs: [Int8]
    /// The reference interpreter's outputs.
    public var expected: [Int8]
    public var labels: [Int32]?
    public var floatLogits: [Float]?

    public init(folder: URL, manifest: EmitManifest) throws {
        let v = manifest.vectors
        count = v.count
        func bytes(_ path: String, _ elementSize: Int, _ perVector: Int) throws -> [UInt8] {
            let url = folder.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw VerifyInputError("\(url.path): missing; emit the folder again")
            }
            let expectedSize = v.count * perVector * elementSize
            guard data.count == expectedSize else {
                throw VerifyInputError("\(url.path): \(data.count) bytes, the manifest implies \(expectedSize) (\(v.count) vectors × \(perVector) × \(elementSize))")
            }
            return [UInt8](data)
        }
        func littleEndian<T: FixedWidthInteger>(_ raw: [UInt8], as: T.Type) -> [T] {
            raw.withUnsafeBytes { buffer in
                (0..<(raw.count / MemoryLayout<T>.size)).map {
                    T(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self))
                }
            }
        }
        inputs = try bytes(v.inputs, 1, manifest.input.size).map { Int8(bitPattern: $0) }
        expected = try bytes(v.expected, 1, manifest.output.size).map { Int8(bitPattern: $0) }
        labels = try v.labels.map { littleEndian(try bytes($0, 4, 1), as: Int32.self) }
        floatLogits = try v.floatLogits.map {
            littleEndian(try bytes($0, 4, manifest.output.size), as: UInt32.self).map(Float.init(bitPattern:))
        }
    }
}
