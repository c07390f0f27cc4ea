/// A class of executed instructions, as the counting plugin sorts them for `verify --profile`
/// (`targets/qemu/insncount.c`, whose `class_names` spell the same raw values in the same order).
/// The plugin knows instruction sets, not cores: it decodes each instruction's bytes, and tells a
/// taken branch from one not taken by where execution goes next. What a class costs on a core is
/// the target's `CycleTable`.
public enum InstructionClass: String, CaseIterable, Codable, Hashable, Sendable {
    /// Data processing, moves, shifts, compares, extends, saturation, IT.
    case alu
    /// A single load (LDR, LDRB, LDRSH, …; RV32 LB … LW).
    case load
    /// A single load directly followed by a single load or store whose address does not use the
    /// loaded register: the Cortex-M3/M4 pipeline overlaps the two (TRM "Load/store timings").
    case loadPipelined = "load_pipelined"
    case store
    /// LDM, POP without the PC, LDRD; costs `perRegister` for each register loaded too.
    case loadMultiple = "load_multiple"
    /// STM, PUSH, STRD.
    case storeMultiple = "store_multiple"
    /// A load that writes the PC: POP {…, pc}, LDM with the PC, LDR pc, TBB, TBH.
    case loadPC = "load_pc"
    /// A 32-bit product: MUL(S); RV32 MUL.
    case multiply
    /// MLA, MLS.
    case multiplyAccumulate = "multiply_accumulate"
    /// A 64-bit product: SMULL, UMULL; RV32 MULH, MULHSU, MULHU.
    case multiplyLong = "multiply_long"
    /// SMLAL, UMLAL, UMAAL.
    case multiplyAccumulateLong = "multiply_accumulate_long"
    /// ARMv7E-M's DSP multiplies: SMLAD, SMUAD, SMLABB, SMULBB, SMMUL(R), SMMLA, SMLALD, ….
    case dspMultiply = "dsp_multiply"
    /// SDIV, UDIV; RV32 DIV, DIVU, REM, REMU.
    case divide
    case branchTaken = "branch_taken"
    case branchNotTaken = "branch_not_taken"
    /// System instructions, hints, barriers, breakpoints.
    case other

    /// The classes whose cost grows with the registers they move (the TRMs' "1 + N").
    public var movesRegisters: Bool { self == .loadMultiple || self == .storeMultiple || self == .loadPC }
}

/// A core's cycles per executed instruction of each class, from its technical reference manual:
/// the `timing` field of a target descriptor, which `verify --profile` uses to turn the counted
/// classes into an estimated cycle count per layer. The plugin classifies and this table weighs,
/// so that one decoder serves every core of an instruction set (Cortex-M0 to M7 share Thumb) and
/// a core's timing is data that can be read and corrected beside its source, not code.
///
/// ```json
/// "timing": {"source": "Cortex-M4 TRM r0p1, 3.3.1 Table 3-1 and 3.3.2; P = 2",
///            "cycles": {"alu": 1, "load": 2, "load_pipelined": 1, "store": 1, "load_multiple": 1, …},
///            "perRegister": {"load_multiple": 1, "store_multiple": 1, "load_pc": 1}}
/// ```
///
/// An estimate: no flash wait states, no interlocks beyond what a class carries, no bus
/// contention, no caches (README, "Estimated cycles").
public struct CycleTable: Codable, Hashable, Sendable {
    /// Where the weights come from and what was assumed, for the report.
    public var source: String
    /// Cycles of one instruction of a class (class name → cycles). A class the core cannot execute
    /// (a divide on Cortex-M0) may be left out; a profile that meets one is an error.
    public var cycles: [String: Double]
    /// Cycles per register moved, added for the classes that move several (`movesRegisters`).
    public var perRegister: [String: Double]

    public init(source: String, cycles: [InstructionClass: Double], perRegister: [InstructionClass: Double] = [:]) {
        self.source = source
        self.cycles = Dictionary(uniqueKeysWithValues: cycles.map { ($0.key.rawValue, $0.value) })
        self.perRegister = Dictionary(uniqueKeysWithValues: perRegister.map { ($0.key.rawValue, $0.value) })
    }

    /// The cycles of one instruction of `instructionClass`; nil when the table leaves it out.
    public func cycles(of instructionClass: InstructionClass) -> Double? { cycles[instructionClass.rawValue] }

    /// The cycles per register moved by `instructionClass` (0 when the table gives none).
    public func cyclesPerRegister(of instructionClass: InstructionClass) -> Double { perRegister[instructionClass.rawValue] ?? 0 }

    /// What is wrong with the table, as "field problem" (nil: nothing).
    func problem() -> String? {
        let known = InstructionClass.allCases.map(\.rawValue)
        if source.isEmpty { return "'timing.source' is empty; name the manual and section the cycles come from" }
        for (field, table) in [("cycles", cycles), ("perRegister", perRegister)] {
            for (name, value) in table.sorted(by: { $0.key < $1.key }) {
                guard let instructionClass = InstructionClass(rawValue: name) else {
                    return "'timing.\(field)' names '\(name)', which is no instruction class (known: \(known.joined(separator: ", ")))"
                }
                guard value.isFinite, value >= 0 else { return "'timing.\(field).\(name)' must be a finite number ≥ 0, is \(value)" }
                if field == "perRegister" && !instructionClass.movesRegisters {
                    return "'timing.perRegister' names '\(name)', which moves no register list (only \(InstructionClass.allCases.filter(\.movesRegisters).map(\.rawValue).joined(separator: ", ")))"
                }
            }
        }
        return nil
    }
}
