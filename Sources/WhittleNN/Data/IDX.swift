import Foundation
import WhittleSupport

/// An IDX file (the MNIST format): magic 0x0000, a type byte, a rank byte (any number of
/// dimensions), big-endian 32-bit dimensions, then the elements big-endian. Gzipped files are
/// inflated first.
public struct IDXFile {
    public enum Elements {
        case bytes([UInt8])
        case floats([Float])
    }

    public let dimensions: [Int]
    public let elements: Elements

    /// At most this many elements in one file (Fashion-MNIST's training images have 47 million).
    public static let elementLimit = SizeLimit("elements in one IDX file", maximum: 1 << 28)

    /// Reads and validates `url`; every error names the file.
    public init(contentsOf url: URL) throws {
        self = try DataError.parsing(url) { try IDXFile(fileBytes: $0) }
    }

    /// Parses the bytes of an IDX file, gzipped or plain; errors do not name a file (the
    /// caller adds it). A gzipped file may inflate to no more than its header promises.
    public init(fileBytes data: Data) throws {
        guard Gzip.isCompressed(data) else { self = try IDXFile(data: data); return }
        let inflated = try Gzip.inflate(data) { prefix in
            try Header(prefix)?.fileBytes ?? Header.largestFileBytes
        }
        self = try IDXFile(data: inflated)
    }

    /// The magic, element type and dimensions; sizes checked against `elementLimit`.
    struct Header {
        let type: UInt8
        let elementSize: Int
        let dimensions: [Int]
        let elementCount: Int
        var byteCount: Int { 4 + 4 * dimensions.count }
        var fileBytes: Int { byteCount + elementCount * elementSize }
        /// The largest file any header may promise (rank 255, float64, at the element limit).
        static let largestFileBytes = 4 + 4 * 255 + IDXFile.elementLimit.maximum * 8

        /// nil while `bytes` is too short to hold the whole header.
        init?(_ bytes: Data) throws {
            let b = [UInt8](bytes.prefix(4 + 4 * 255))
            guard b.count >= 4 else { return nil }
            guard b[0] == 0, b[1] == 0 else {
                throw DataError(String(format: "bad magic number 0x%02X%02X%02X%02X (an IDX file starts with 0x0000)", b[0], b[1], b[2], b[3]))
            }
            type = b[2]
            let rank = Int(b[3])
            switch type {
            case 0x08, 0x09: elementSize = 1   // unsigned / signed byte
            case 0x0B: elementSize = 2         // int16
            case 0x0C, 0x0D: elementSize = 4   // int32 / float32
            case 0x0E: elementSize = 8         // float64
            default: throw DataError(String(format: "unknown IDX element type 0x%02X", type))
            }
            guard rank > 0 else { throw DataError("IDX rank is 0: the file has no dimensions") }
            guard b.count >= 4 + 4 * rank else { return nil }
            dimensions = (0..<rank).map { d in
                let o = 4 + 4 * d
                return Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
            }
            elementCount = try IDXFile.elementLimit.product(dimensions, of: "dimensions")
        }
    }

    /// Parses IDX bytes; errors do not name a file (the caller adds it).
    public init(data: Data) throws {
        guard let header = try Header(data) else {
            throw DataError(data.count < 4 ? "too short for an IDX header (\(data.count) bytes)"
                : "truncated header: rank \(data[data.startIndex + 3]) needs \(4 + 4 * Int(data[data.startIndex + 3])) bytes, file has \(data.count)")
        }
        let bytes = [UInt8](data)
        let (type, dims, count, headerSize) = (header.type, header.dimensions, header.elementCount, header.byteCount)
        let expected = header.fileBytes
        guard bytes.count == expected else {
            let shape = dims.map(String.init).joined(separator: "×")
            throw DataError(bytes.count < expected
                ? "truncated: header says \(shape) elements (\(expected) bytes), file holds \(bytes.count)"
                : "\(bytes.count - expected) unexpected bytes after \(shape) elements")
        }
        dimensions = dims
        let body = bytes[headerSize...]
        func be(_ i: Int, _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<n { v = v << 8 | UInt64(body[body.startIndex + i * n + j]) }
            return v
        }
        switch type {
        case 0x08: elements = .bytes(Array(body))
        case 0x09: elements = .floats((0..<count).map { Float(Int8(bitPattern: UInt8(be($0, 1)))) })
        case 0x0B: elements = .floats((0..<count).map { Float(Int16(bitPattern: UInt16(be($0, 2)))) })
        case 0x0C: elements = .floats((0..<count).map { Float(Int32(bitPattern: UInt32(be($0, 4)))) })
        case 0x0D: elements = .floats((0..<count).map { Float(bitPattern: UInt32(be($0, 4))) })
        default: elements = .floats((0..<count).map { Float(Double(bitPattern: be($0, 8))) })
        }
    }

    /// Writes an uncompressed IDX file of unsigned bytes (used by tests and tools).
    public static func encode(bytes: [UInt8], dimensions: [Int]) -> Data {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions { out += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return Data(out + bytes)
    }
}
