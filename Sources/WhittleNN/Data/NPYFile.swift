import Foundation
import WhittleSupport

/// A NumPy `.npy` file: the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the header length
/// (2 bytes little-endian in 1.0, 4 bytes after), a header dictionary (`NPYHeader`), then the
/// elements in C order. Only what datasets need is decoded: uint8 or float32 samples and
/// integer labels, little-endian.
public struct NPYFile {
    /// A simple dtype: kind ("u", "i", "f", …), bytes per element, byte order.
    public struct DType: Equatable, CustomStringConvertible {
        public let descr: String
        public let kind: Character
        public let size: Int
        /// Little-endian, or one byte (where order does not apply).
        public var isLittleEndian: Bool { size == 1 || descr.first == "<" }
        public var description: String { descr }

        init(_ descr: String) throws {
            var body = Substring(descr)
            if let first = body.first, "<>|=".contains(first) { body = body.dropFirst() }
            guard let kind = body.first, "biufc".contains(kind), let size = Int(body.dropFirst()), (1...16).contains(size) else {
                throw DataError("dtype '\(descr)' is not supported (uint8 or float32 samples, integer labels)")
            }
            self.descr = descr; self.kind = kind; self.size = size
        }

        var isSampleType: Bool { isLittleEndian && ((kind == "u" && size == 1) || (kind == "f" && size == 4)) }
        var isLabelType: Bool { isLittleEndian && (kind == "i" || kind == "u") && [1, 2, 4, 8].contains(size) }
    }

    public let dtype: DType
    /// The array's shape, [N, …] for a dataset.
    public let shape: [Int]
    /// The elements as stored (little-endian, C order), `shape.product × dtype.size` bytes.
    let body: Data

    /// At most this many elements in one file (as for IDX).
    public static let elementLimit = SizeLimit("elements in one .npy file", maximum: 1 << 28)
    /// NumPy's own limit on the header (`max_header_size`), so a huge length is rejected at once.
    static let headerLimit = 10_000

    /// Reads and validates `url`; every error names the file.
    public init(contentsOf url: URL) throws {
        self = try DataError.parsing(url) { try NPYFile(fileBytes: $0) }
    }

    /// Parses the bytes of a `.npy` file; errors do not name a file (the caller adds it).
    public init(fileBytes data: Data) throws {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10 else { throw DataError("too short for a .npy header (\(data.count) bytes)") }
        guard bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
            throw DataError("bad magic (a .npy file starts with \\x93NUMPY)")
        }
        let major = bytes[6]
        guard (1...3).contains(major) else { throw DataError(".npy format version \(major).\(bytes[7]) is not supported (1.0, 2.0 or 3.0)") }
        let prefix = major == 1 ? 10 : 12
        guard bytes.count >= prefix else { throw DataError("truncated header (\(data.count) bytes)") }
        let length = (8..<prefix).reversed().reduce(0) { $0 << 8 | Int(bytes[$1]) }
        guard length <= Self.headerLimit else { throw DataError("header length \(length) exceeds NumPy's limit of \(Self.headerLimit) bytes") }
        guard data.count >= prefix + length else {
            throw DataError("truncated header: it needs \(prefix + length) bytes, file has \(data.count)")
        }
        let raw = data.subdata(in: data.startIndex + prefix..<data.startIndex + prefix + length)
        // Versions 1 and 2 are Latin-1, 3 is UTF-8.
        guard let text = major == 3 ? String(data: raw, encoding: .utf8) : String(data: raw, encoding: .isoLatin1) else {
            throw DataError("header is not valid UTF-8")
        }
        let header = try NPYHeader(text)
        guard let descr = header.descr else { throw DataError("structured dtypes are not supported (uint8 or float32 samples, integer labels)") }
        guard !header.fortranOrder else { throw DataError("fortran_order is True: only C order is supported (save with np.ascontiguousarray)") }
        dtype = try DType(descr)
        shape = header.shape
        let count = try Self.elementLimit.product(shape, of: "shape \(shape)")
        let expected = count * dtype.size, actual = data.count - prefix - length
        guard actual == expected else {
            throw DataError(actual < expected
                ? "truncated: shape \(shape) of '\(descr)' needs \(expected) bytes of data, file holds \(actual)"
                : "\(actual - expected) unexpected bytes after the \(shape) array")
        }
        body = data.subdata(in: data.startIndex + prefix + length..<data.endIndex)
    }

    public var count: Int { shape.reduce(1, *) }

    /// The elements as samples: bytes for uint8, floats for float32; else an error naming the dtype.
    public func samples() throws -> Dataset.Values {
        guard dtype.isSampleType else { throw DataError("dtype '\(dtype)' is not supported (uint8 or float32)") }
        if dtype.kind == "u" { return .bytes([UInt8](body)) }
        return .floats(body.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        })
    }

    /// The elements as class indices (0…65,535); else an error naming the dtype or the first bad label.
    public func labels() throws -> [Int32] {
        guard dtype.isLabelType else { throw DataError("dtype '\(dtype)' is not supported for labels (int8, int16, int32, int64 or uint8)") }
        let size = dtype.size, signed = dtype.kind == "i"
        let values: [Int64] = body.withUnsafeBytes { raw in
            (0..<count).map { i in
                var v: UInt64 = 0
                for b in (0..<size).reversed() { v = v << 8 | UInt64(raw[i * size + b]) }
                let shift = UInt64(64 - 8 * size)
                return signed ? Int64(bitPattern: v << shift) >> shift : Int64(bitPattern: v)
            }
        }
        let largest = Int64(Dataset.classLimit.maximum - 1)
        if let bad = values.firstIndex(where: { $0 < 0 || $0 > largest }) {
            throw DataError("sample \(bad) has label \(values[bad]), not a class index (0…\(largest))")
        }
        return values.map { Int32($0) }
    }

    /// A `.npy` file (format 1.0 unless the header needs 2.0) of `body` bytes under `descr` and
    /// `shape`, as NumPy writes it; used by tests, fuzz seeds and tools.
    public static func encode(descr: String, shape: [Int], body: Data, fortranOrder: Bool = false, version: UInt8 = 1) -> Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var text = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': (\(dims)), }"
        let prefix = version == 1 ? 10 : 12
        text += String(repeating: " ", count: 63 - (prefix + text.utf8.count) % 64) + "\n" // aligned to 64 bytes
        let length = text.utf8.count
        var out = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        out += (0..<(prefix - 8)).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        return out + Data(text.utf8) + body
    }

    /// uint8 samples as a `.npy` file.
    public static func encode(bytes: [UInt8], shape: [Int]) -> Data { encode(descr: "|u1", shape: shape, body: Data(bytes)) }

    /// float32 samples as a `.npy` file.
    public static func encode(floats: [Float], shape: [Int]) -> Data {
        encode(descr: "<f4", shape: shape, body: Data(floats.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }))
    }

    /// int64 labels (NumPy's default integer) as a `.npy` file.
    public static func encode(labels: [Int64]) -> Data {
        encode(descr: "<i8", shape: [labels.count], body: Data(labels.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }))
    }
}
