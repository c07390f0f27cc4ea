import Foundation

/// The integer-only proof on a linked bare-metal program: no software floating-point helper
/// of libgcc may be in it (the ELF's symbols, as `nm` lists them). A `float` or `double` in the
/// kernels is already a compile error (whittle_kernel.h poisons both words); this catches a
/// floating-point constant or conversion, which pulls in a helper such as `__aeabi_dmul`,
/// `__aeabi_i2f` or `__floatsisf`.
public enum IntegerOnlyCheck {
    /// Arm EABI helpers (`__aeabi_fadd`, `__aeabi_d2iz`, `__aeabi_i2f`, `__aeabi_cfcmple`, …),
    /// the generic libgcc names (`__addsf3`, `__floatsidf`, `__fixdfsi`, …) and the
    /// half-precision and complex helpers.
    static let pattern = try! NSRegularExpression(
        pattern: #"^(__aeabi_([cd]?[df](add|sub|rsub|mul|div|neg|cmp[a-z]*|2[a-z]+)|c[df][a-z]*|(i|ui|l|ul)2[df])|__[a-z_]*(sf|df|tf|hf)[0-9]?|__fix(uns)?[sdth]f[a-z]+[0-9]?|__gnu_(f2h|h2f|d2h)[a-z_]*|__(mul|div)(sc|dc|tc)3)$"#)

    /// Whether `symbol` names a floating-point helper.
    public static func isFloatHelper(_ symbol: String) -> Bool {
        pattern.firstMatch(in: symbol, range: NSRange(symbol.startIndex..., in: symbol)) != nil
    }

    /// The floating-point helpers in `elf`, sorted; empty for an integer-only program.
    public static func floatHelpers(in elf: ElfFile) -> [String] {
        Set(elf.symbols.map(\.name).filter(isFloatHelper)).sorted()
    }
}
