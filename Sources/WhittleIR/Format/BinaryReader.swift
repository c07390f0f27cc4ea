/// Reads little-endian values from a byte buffer, failing with what was being read and where
/// when the data runs out or does not make sense.
struct BinaryReader {
    struct Failure: Error {
        let message: String
    }

    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw Failure(message: "truncated: \(what) needs \(count) bytes at offset \(offset), only \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        var value: T = 0
        let slice = try take(MemoryLayout<T>.size, what)
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
        return T(littleEndian: value)
    }

    /// An Int32 stored value converted to Int, required to lie in `range`.
    mutating func readInt(_ what: String, in range: ClosedRange<Int>) throws -> Int {
        let value = Int(try read(Int32.self, what))
        guard range.contains(value) else {
            throw Failure(message: "corrupt: \(what) is \(value), expected \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    mutating func readDouble(_ what: String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, what))
    }

    mutating func readBool(_ what: String) throws -> Bool {
        switch try read(UInt8.self, what) {
        case 0: return false
        case 1: return true
        case let other: throw Failure(message: "corrupt: \(what) flag is \(other), expected 0 or 1")
        }
    }

    mutating func readString(_ what: String) throws -> String {
        let count = Int(try read(UInt32.self, "\(what) length"))
        guard let text = String(validating: try take(count, what), as: UTF8.self) else {
            throw Failure(message: "corrupt: \(what) is not valid UTF-8")
        }
        return text
    }

    /// A count, then that many values. The count is checked against the bytes left before
    /// anything is allocated.
    mutating func readArray<T: FixedWidthInteger>(of type: T.Type, _ what: String) throws -> [T] {
        let count = try read(UInt64.self, "\(what) count")
        let size = MemoryLayout<T>.size
        guard count <= UInt64(remaining / size) else {
            throw Failure(message: "truncated: \(what) claims \(count) entries, only \(remaining) bytes left")
        }
        let slice = try take(Int(count) * size, what)
        return slice.withUnsafeBytes { raw in
            (0..<Int(count)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * size, as: T.self)) }
        }
    }

    mutating func readDoubles(_ what: String) throws -> [Double] {
        try readArray(of: UInt64.self, what).map(Double.init(bitPattern:))
    }

    mutating func readFloats(_ what: String) throws -> [Float] {
        try readArray(of: UInt32.self, what).map(Float.init(bitPattern:))
    }
}
