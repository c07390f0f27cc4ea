/// Appends little-endian values to a byte buffer.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        write(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A count, then the values.
    mutating func write<T: FixedWidthInteger>(array: [T]) {
        write(UInt64(array.count))
        if T.bitWidth == 8 {
            array.withUnsafeBytes { bytes.append(contentsOf: $0) }
        } else {
            for v in array { write(v) }
        }
    }

    mutating func write(array: [Double]) { write(array: array.map(\.bitPattern)) }
    mutating func write(array: [Float]) { write(array: array.map(\.bitPattern)) }
}
