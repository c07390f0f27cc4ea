/// A bounds-checked view of a FlatBuffers binary (the encoding `.tflite` files use), written here
/// from the format's definition: little-endian scalars; a table starts with a signed offset back
/// to its vtable (u16 vtable size, u16 table size, then one u16 field offset per field, 0 when
/// absent); vectors and strings are a u32 offset forward to a u32 count and their elements.
/// Every read checks its range, so a corrupt or hostile file ends in a `FlatBufferError` naming
/// what was being read, never a trap.
public struct FlatBufferReader {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A table: its position and its vtable's.
    public struct Table {
        public let position: Int
        public let vtable: Int
        public let vtableSize: Int
    }

    public func scalar<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, _ what: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= bytes.count - size else {
            throw FlatBufferError("\(what) at byte \(offset) lies outside the file (\(bytes.count) bytes)")
        }
        var value: T = 0
        for i in 0..<size { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        return value
    }

    /// The root table (the file's first u32 is its offset).
    public func root(_ what: String) throws -> Table {
        try table(at: Int(try scalar(UInt32.self, at: 0, "\(what) root offset")), what)
    }

    public func table(at position: Int, _ what: String) throws -> Table {
        let back = Int(try scalar(Int32.self, at: position, "\(what) vtable offset"))
        let vtable = position - back
        let vtableSize = Int(try scalar(UInt16.self, at: vtable, "\(what) vtable size"))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= bytes.count else {
            throw FlatBufferError("\(what) has a vtable of \(vtableSize) bytes at byte \(vtable), which does not fit the file")
        }
        return Table(position: position, vtable: vtable, vtableSize: vtableSize)
    }

    /// Where field `index` of `table` is, or nil when the file leaves it out (its default).
    public func field(_ table: Table, _ index: Int, _ what: String) throws -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= table.vtableSize else { return nil }
        let offset = Int(try scalar(UInt16.self, at: table.vtable + slot, what))
        return offset == 0 ? nil : table.position + offset
    }

    public func scalarField<T: FixedWidthInteger>(_ table: Table, _ index: Int, _ what: String, default value: T) throws -> T {
        guard let at = try field(table, index, what) else { return value }
        return try scalar(T.self, at: at, what)
    }

    /// The position a u32 forward offset at `at` points to.
    private func follow(_ at: Int, _ what: String) throws -> Int {
        at + Int(try scalar(UInt32.self, at: at, "\(what) offset"))
    }

    public func tableField(_ table: Table, _ index: Int, _ what: String) throws -> Table? {
        guard let at = try field(table, index, what) else { return nil }
        return try self.table(at: try follow(at, what), what)
    }

    /// A vector field: the position of its first element and its count (checked against the
    /// file's size for `elementSize`-byte elements).
    public func vectorField(_ table: Table, _ index: Int, _ what: String, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let at = try field(table, index, what) else { return nil }
        let position = try follow(at, what)
        let count = Int(try scalar(UInt32.self, at: position, "\(what) length"))
        let start = position + 4
        guard count <= (bytes.count - start) / max(elementSize, 1) else {
            throw FlatBufferError("\(what) claims \(count) elements of \(elementSize) bytes, past the end of the file")
        }
        return (start, count)
    }

    public func scalars<T: FixedWidthInteger>(_ table: Table, _ index: Int, _ type: T.Type, _ what: String) throws -> [T] {
        guard let (start, count) = try vectorField(table, index, what, elementSize: MemoryLayout<T>.size) else { return [] }
        return try (0..<count).map { try scalar(T.self, at: start + $0 * MemoryLayout<T>.size, "\(what)[\($0)]") }
    }

    public func floats(_ table: Table, _ index: Int, _ what: String) throws -> [Float] {
        try scalars(table, index, UInt32.self, what).map(Float.init(bitPattern:))
    }

    public func bytes(_ table: Table, _ index: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard let (start, count) = try vectorField(table, index, what, elementSize: 1) else { return [] }
        return bytes[start..<(start + count)]
    }

    public func tables(_ table: Table, _ index: Int, _ what: String) throws -> [Table] {
        guard let (start, count) = try vectorField(table, index, what, elementSize: 4) else { return [] }
        return try (0..<count).map { try self.table(at: try follow(start + 4 * $0, "\(what)[\($0)]"), "\(what)[\($0)]") }
    }

    public func string(_ table: Table, _ index: Int, _ what: String) throws -> String? {
        guard let (start, count) = try vectorField(table, index, what, elementSize: 1) else { return nil }
        return String(decoding: bytes[start..<(start + count)], as: UTF8.self)
    }
}

/// A `.tflite` file could not be read: one line saying what and where.
public struct FlatBufferError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
