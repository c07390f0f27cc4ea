import Foundation

/// An IDX file (the MNIST format): magic 0x0000, a type byte, a rank byte, big-endian
/// 32-bit dimensions, then the elements big-endian. Gzipped files are inflated first.
public struct IDXFile {
    public enum Elements {
        case bytes([UInt8])
        case floats([Float])
    }

    public let dimensions: [Int]
    public let elements: Elements

    /// Reads and validates `url`; every error names the file.
    public init(contentsOf url: URL) throws {
        let name = url.path
        guard FileManager.default.fileExists(atPath: name) else { throw DataError("\(name): file not found") }
        var data: Data
        do { data = try Data(contentsOf: url) } catch { throw DataError("\(name): cannot read (\(error.localizedDescription))") }
        if Gzip.isCompressed(data) {
            do { data = try Gzip.inflate(data) } catch { throw DataError("\(name): \(error)") }
        }
        do { self = try IDXFile(data: data) } catch { throw DataError("\(name): \(error)") }
    }

    /// Parses IDX bytes; errors do not name a file (the caller adds it).
    public init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw DataError("too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(String(format: "bad magic number 0x%02X%02X%02X%02X (an IDX file starts with 0x0000)", bytes[0], bytes[1], bytes[2], bytes[3]))
        }
        let type = bytes[2], rank = Int(bytes[3])
        let size: Int
        switch type {
        case 0x08, 0x09: size = 1   // unsigned / signed byte
        case 0x0B: size = 2         // int16
        case 0x0C, 0x0D: size = 4   // int32 / float32
        case 0x0E: size = 8         // float64
        default: throw DataError(String(format: "unknown IDX element type 0x%02X", type))
        }
        guard (1...4).contains(rank) else { throw DataError("IDX rank \(rank) is not between 1 and 4") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw DataError("truncated header: rank \(rank) needs \(headerSize) bytes, file has \(bytes.count)") }
        var dims: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let count = dims.reduce(1, *)
        let expected = headerSize + count * size
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
