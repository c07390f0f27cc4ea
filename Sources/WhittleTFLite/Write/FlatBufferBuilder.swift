/// Writes a FlatBuffers binary back to front, as the format's own builders do, so every object is
/// complete before the object that points to it: a forward offset (u32) is then the distance from
/// where it is written to an object already in place. The mirror of `FlatBufferReader`:
/// little-endian scalars aligned to their size; a table is a signed offset back to its vtable
/// (u16 vtable size, u16 table size, one u16 field offset per field, 0 for a field left at its
/// default), then its fields; a vector or string is a u32 count and its elements (a string adds
/// a 0 byte); the file starts with the root table's offset and a 4-byte file identifier.
///
/// The bytes are kept reversed (`reversed[i]` is the byte `i + 1` from the end), so prepending is
/// appending, and an object's place is its distance from the end, which later writes never change.
///
///     var b = FlatBufferBuilder()
///     let name = b.string("conv1")
///     b.startTable()
///     b.add(0, name)                          // field 0: the string
///     b.add(1, Int32(3), default: 0)          // field 1: 3
///     let root = b.endTable()
///     let bytes = b.finish(root: root, identifier: "TFL3")
public struct FlatBufferBuilder {
    /// An object already written: its distance from the end of the buffer.
    public struct Offset: Hashable, Sendable {
        fileprivate let fromEnd: Int
    }

    private var reversed: [UInt8] = []
    /// The largest alignment anything needs: the finished buffer's size is a multiple of it, so
    /// every object is aligned when the buffer starts at an address aligned to it.
    private var largestAlignment = 1
    /// The table being written: where its fields start, and each field's slot and place.
    private var table: (start: Int, fields: [(slot: Int, at: Int)])?

    /// Bytes written so far.
    public var size: Int { reversed.count }

    public init() {}

    // MARK: - Scalars and alignment

    /// Pads with zeros so that after `following` more bytes the size is a multiple of `alignment`
    /// (a power of two).
    private mutating func align(_ alignment: Int, following: Int = 0) {
        largestAlignment = max(largestAlignment, alignment)
        let padding = (alignment - (size + following) % alignment) % alignment
        reversed.append(contentsOf: repeatElement(0, count: padding))
    }

    /// Prepends `value` little-endian (its most significant byte is the first one reversed).
    private mutating func push<T: FixedWidthInteger>(_ value: T) {
        for i in (0..<MemoryLayout<T>.size).reversed() {
            reversed.append(UInt8(truncatingIfNeeded: value >> (8 * i)))
        }
    }

    /// Prepends a forward offset to `target`, aligned.
    private mutating func push(_ target: Offset) {
        align(4)
        precondition(target.fromEnd <= size, "a flatbuffer offset must point to an object written before it")
        push(UInt32(size + 4 - target.fromEnd))
    }

    // MARK: - Strings and vectors

    /// A UTF-8 string with its terminating 0.
    public mutating func string(_ text: String) -> Offset {
        let utf8 = Array(text.utf8)
        align(4, following: utf8.count + 1)
        push(UInt8(0))
        for byte in utf8.reversed() { push(byte) }
        push(UInt32(utf8.count))
        return Offset(fromEnd: size)
    }

    /// A vector of scalars whose first element is aligned to `alignment` (at least its size):
    /// TFLite aligns constant buffers to 16 bytes, so kernels can read them in place.
    public mutating func vector<T: FixedWidthInteger>(_ values: [T], alignment: Int = 1) -> Offset {
        let bytes = values.count * MemoryLayout<T>.size
        align(4, following: bytes)
        align(max(alignment, MemoryLayout<T>.size), following: bytes)
        for value in values.reversed() { push(value) }
        push(UInt32(values.count))
        return Offset(fromEnd: size)
    }

    /// A vector of float32 values (their IEEE bit patterns).
    public mutating func vector(_ values: [Float]) -> Offset {
        vector(values.map(\.bitPattern))
    }

    /// A vector of objects (tables or strings) written before.
    public mutating func vector(_ offsets: [Offset]) -> Offset {
        align(4, following: 4 * offsets.count)
        for offset in offsets.reversed() { push(offset) }
        push(UInt32(offsets.count))
        return Offset(fromEnd: size)
    }

    // MARK: - Tables

    /// Starts a table; its strings, vectors and sub-tables must already be written.
    public mutating func startTable() {
        precondition(table == nil, "a flatbuffer table cannot start inside another")
        table = (size, [])
    }

    /// Field `slot` (its index in the schema) holding `value`, left out when it is the default.
    public mutating func add<T: FixedWidthInteger>(_ slot: Int, _ value: T, default defaultValue: T) {
        guard value != defaultValue else { return }
        align(MemoryLayout<T>.size)
        push(value)
        record(slot)
    }

    public mutating func add(_ slot: Int, _ value: Float, default defaultValue: Float) {
        add(slot, value.bitPattern, default: defaultValue.bitPattern)
    }

    public mutating func add(_ slot: Int, _ value: Bool, default defaultValue: Bool) {
        add(slot, UInt8(value ? 1 : 0), default: defaultValue ? 1 : 0)
    }

    /// Field `slot` pointing to an object written before the table started.
    public mutating func add(_ slot: Int, _ object: Offset) {
        push(object)
        record(slot)
    }

    private mutating func record(_ slot: Int) {
        precondition(table != nil, "a flatbuffer field outside a table")
        table!.fields.append((slot, size))
    }

    /// Ends the table: its offset back to the vtable, then the vtable before it.
    public mutating func endTable() -> Offset {
        guard let (start, fields) = table else { preconditionFailure("endTable without startTable") }
        table = nil
        align(4)
        push(Int32(0)) // the offset to the vtable, patched below
        let object = size
        var entries = [UInt16](repeating: 0, count: (fields.map(\.slot).max() ?? -1) + 1)
        for field in fields { entries[field.slot] = UInt16(object - field.at) }
        for entry in entries.reversed() { push(entry) }
        push(UInt16(object - start))
        push(UInt16(4 + 2 * entries.count))
        // The vtable lies before the table: the table's first word is the distance back to it.
        let back = UInt32(size - object)
        for k in 0..<4 { reversed[object - 1 - k] = UInt8(truncatingIfNeeded: back >> (8 * k)) }
        return Offset(fromEnd: object)
    }

    // MARK: - Finishing

    /// The finished buffer: the root table's offset, then the 4-byte file identifier.
    public mutating func finish(root: Offset, identifier: String) -> [UInt8] {
        let id = Array(identifier.utf8)
        precondition(id.count == 4, "a flatbuffer file identifier has 4 bytes")
        align(max(largestAlignment, 4), following: 8)
        for byte in id.reversed() { push(byte) }
        push(root)
        return reversed.reversed()
    }
}
