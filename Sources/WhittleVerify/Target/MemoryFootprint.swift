/// Bytes of a linked program by kind of section: code (`text`), constants (`rodata`),
/// initialised data (`data`, stored in flash and copied to RAM) and zeroed data (`bss`). The
/// reserved stack section (`.stack`) is left out: the stack actually used is measured.
public struct MemoryFootprint: Codable, Hashable, Sendable {
    public var text: Int
    public var rodata: Int
    public var data: Int
    public var bss: Int

    public init(text: Int = 0, rodata: Int = 0, data: Int = 0, bss: Int = 0) {
        self.text = text
        self.rodata = rodata
        self.data = data
        self.bss = bss
    }

    /// Flash: code, constants and the initial values of data.
    public var flash: Int { text + rodata + data }
    /// Static RAM: data and bss (without the stack).
    public var staticRAM: Int { data + bss }

    /// Sums an ELF's allocated sections by kind.
    public init(_ elf: ElfFile) {
        self.init()
        for section in elf.sections where section.isAllocated && section.name != ".stack" {
            if section.isExecutable {
                text += section.size
            } else if !section.isWritable {
                rodata += section.size
            } else if section.occupiesNoFileBytes {
                bss += section.size
            } else {
                data += section.size
            }
        }
    }

    /// What `self` adds to `base` (a model's share: its program minus the same program without it).
    public func subtracting(_ base: MemoryFootprint) -> MemoryFootprint {
        MemoryFootprint(text: text - base.text, rodata: rodata - base.rodata, data: data - base.data, bss: bss - base.bss)
    }
}
