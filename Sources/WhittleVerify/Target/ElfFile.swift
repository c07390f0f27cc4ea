import Foundation

/// The parts of a 32-bit little-endian ELF file (every bare-metal target's) that `verify`
/// reads: the sections, for flash and RAM sizes, and the symbols, for the instruction mark and
/// the soft-float check. What `size -A` and `nm` print, read without binutils.
public struct ElfFile: Sendable {
    public struct Section: Hashable, Sendable {
        public var name: String
        public var type: UInt32
        public var flags: UInt32
        /// Where the section's bytes start in the file.
        public var offset: Int
        public var size: Int

        public var isAllocated: Bool { flags & 0x2 != 0 }
        public var isWritable: Bool { flags & 0x1 != 0 }
        public var isExecutable: Bool { flags & 0x4 != 0 }
        /// SHT_NOBITS: takes memory but no file bytes (.bss, the reserved stack).
        public var occupiesNoFileBytes: Bool { type == 8 }
    }

    public struct Symbol: Hashable, Sendable {
        public var name: String
        public var address: UInt32
        public var size: Int
        /// STT_FUNC.
        public var isFunction: Bool
    }

    public var sections: [Section]
    public var symbols: [Symbol]

    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw VerifyCheckFailure("\(url.path): cannot read the built program")
        }
        try self.init(bytes: [UInt8](data), path: url.path)
    }

    public init(bytes: [UInt8], path: String) throws {
        func fail(_ problem: String) -> VerifyCheckFailure { VerifyCheckFailure("\(path): \(problem)") }
        guard bytes.count >= 52, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw fail("not an ELF file")
        }
        guard bytes[4] == 1, bytes[5] == 1 else { throw fail("not a 32-bit little-endian ELF file") }
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw fail("truncated ELF file") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> UInt32 {
            guard at >= 0, at + 4 <= bytes.count else { throw fail("truncated ELF file") }
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func string(_ table: (offset: Int, size: Int), _ index: UInt32) throws -> String {
            var end = table.offset + Int(index)
            guard end < table.offset + table.size, table.offset + table.size <= bytes.count else { throw fail("bad string table index") }
            let start = end
            while end < bytes.count, bytes[end] != 0 { end += 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        let sectionOffset = Int(try u32(0x20)), entrySize = try u16(0x2E), count = try u16(0x30), namesIndex = try u16(0x32)
        guard entrySize >= 40, namesIndex < count else { throw fail("bad section header table") }
        struct Header { var name: UInt32, type: UInt32, flags: UInt32, offset: Int, size: Int, link: Int, entrySize: Int }
        let headers = try (0..<count).map { i -> Header in
            let at = sectionOffset + i * entrySize
            return Header(name: try u32(at), type: try u32(at + 4), flags: try u32(at + 8), offset: Int(try u32(at + 16)),
                          size: Int(try u32(at + 20)), link: Int(try u32(at + 24)), entrySize: Int(try u32(at + 36)))
        }
        let names = (headers[namesIndex].offset, headers[namesIndex].size)
        sections = try headers.map { Section(name: try string(names, $0.name), type: $0.type, flags: $0.flags, offset: $0.offset, size: $0.size) }
        symbols = []
        for table in headers where table.type == 2 /* SHT_SYMTAB */ && table.entrySize >= 16 && table.link < headers.count {
            let strings = (headers[table.link].offset, headers[table.link].size)
            for i in 1..<max(table.size / table.entrySize, 1) {
                let at = table.offset + i * table.entrySize
                guard at + 16 <= bytes.count else { throw fail("truncated symbol table") }
                let name = try string(strings, try u32(at))
                if name.isEmpty { continue }
                symbols.append(Symbol(name: name, address: try u32(at + 4), size: Int(try u32(at + 8)), isFunction: bytes[at + 12] & 0xF == 2))
            }
        }
    }

    /// The address of a symbol (a Thumb function's with its low bit cleared).
    public func address(of name: String) -> UInt32? {
        symbols.first { $0.name == name }.map { $0.isFunction ? $0.address & ~1 : $0.address }
    }
}
