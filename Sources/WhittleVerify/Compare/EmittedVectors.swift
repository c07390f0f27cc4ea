import Foundation
import WhittleCodegen

/// The test vectors of an emitted folder, checked against the manifest's sizes (which
/// `EmitManifest.decode` has bounded, so the products below cannot overflow; they are checked
/// anyway). A file's size is compared before it is read, so a huge file is never loaded.
public struct EmittedVectors: Sendable {
    public var count: Int
    public var inputs: [Int8]
    /// `vectors/expected.bin` as the folder holds it, or nil when it is missing or of the wrong
    /// size. `verify` does not trust it: its expected outputs come from `whittle.q` through the
    /// reference interpreter, and this file is only compared with them.
    public var expected: [Int8]?
    public var labels: [Int32]?
    public var floatLogits: [Float]?
    /// `vectors/given_expected.bin`: the outputs another engine gave, which the C must equal too.
    public var givenExpected: [Int8]?

    public init(folder: URL, manifest: EmitManifest) throws {
        let v = manifest.vectors
        count = v.count
        /// The file's bytes when it is a regular file of exactly count × perVector × elementSize bytes.
        func bytes(_ path: String, _ elementSize: Int, _ perVector: Int) throws -> [UInt8] {
            let url = folder.appendingPathComponent(path)
            let (perFile, overflow1) = v.count.multipliedReportingOverflow(by: perVector)
            let (expectedSize, overflow2) = perFile.multipliedReportingOverflow(by: elementSize)
            guard !overflow1, !overflow2, v.count >= 1, perVector >= 1 else {
                throw VerifyInputError("\(folder.appendingPathComponent(EmitManifest.fileName).path): field 'vectors.count' (\(v.count)) × \(perVector) × \(elementSize) bytes does not fit; emit the folder again")
            }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
                throw VerifyInputError("\(url.path): missing; emit the folder again")
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw VerifyInputError("\(url.path): not a regular file; emit the folder again")
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            guard size == expectedSize else {
                throw VerifyInputError("\(url.path): \(size) bytes, the manifest implies \(expectedSize) (\(v.count) vectors × \(perVector) × \(elementSize))")
            }
            guard let data = FileManager.default.contents(atPath: url.path), data.count == expectedSize else {
                throw VerifyInputError("\(url.path): cannot be read whole; emit the folder again")
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
        expected = (try? bytes(v.expected, 1, manifest.output.size))?.map { Int8(bitPattern: $0) }
        labels = try v.labels.map { littleEndian(try bytes($0, 4, 1), as: Int32.self) }
        givenExpected = try v.givenExpected.map { try bytes($0, 1, manifest.output.size).map { Int8(bitPattern: $0) } }
        floatLogits = try v.floatLogits.map {
            littleEndian(try bytes($0, 4, manifest.output.size), as: UInt32.self).map(Float.init(bitPattern:))
        }
        if let path = v.floatLogits, let bad = floatLogits?.firstIndex(where: { !$0.isFinite }) {
            throw VerifyInputError("\(folder.appendingPathComponent(path).path): vector \(bad / manifest.output.size) holds a logit that is not a finite number; emit the folder again")
        }
    }
}
