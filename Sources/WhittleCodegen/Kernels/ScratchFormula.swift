/// How much scratch a kernel needs, twice: as the C macro its file defines (which the emitted
/// `model.c` checks with `WHITTLE_STATIC_ASSERT` against the scratch it declares) and as the
/// same formula in Swift (which sizes that scratch). A mismatch fails the build.
public enum ScratchFormula: Hashable, Sendable {
    /// `CONV2D_S8_GATHER_SCRATCH_BYTES(tap_capacity, window_taps)`: per decoded tap and per window
    /// tap an int32 word (offset and value) and a byte each for row and column.
    case gatheredTaps
    /// `CONV2D_S8_NM_SCRATCH_BYTES(tap_capacity, k_h, k_w, m, groups_per_byte)`: the gather's, with
    /// the window run on by a byte's groups (`max(groups_per_byte, 1) · m` taps).
    case gatheredNMTaps
    /// `FC_S8_NM_SCRATCH_BYTES(in_size)`: the input widened to int32.
    case widenedInput
    /// `CONV2D_S8_MM_SCRATCH_BYTES(depth, out_c)`: each output channel's prepared multiplier (four
    /// int32), four columns of `depth` values widened to 16-bit pairs (an int32 per pair) and one
    /// int8 column.
    case widenedColumns

    public var macro: String {
        switch self {
        case .gatheredTaps: return "CONV2D_S8_GATHER_SCRATCH_BYTES"
        case .gatheredNMTaps: return "CONV2D_S8_NM_SCRATCH_BYTES"
        case .widenedInput: return "FC_S8_NM_SCRATCH_BYTES"
        case .widenedColumns: return "CONV2D_S8_MM_SCRATCH_BYTES"
        }
    }

    /// Bytes for the macro's `arguments`, in its order.
    public func bytes(_ arguments: [Int]) -> Int {
        switch self {
        case .gatheredTaps: return 6 * arguments[0] + 6 * arguments[1]
        case .gatheredNMTaps: return 6 * arguments[0] + 6 * (arguments[1] * arguments[2] + max(arguments[4], 1) * arguments[3])
        case .widenedInput: return 4 * arguments[0]
        case .widenedColumns: return 16 * arguments[1] + 9 * arguments[0]
        }
    }

    /// A call's use of scratch with these arguments.
    func use(_ arguments: [Int]) -> ScratchUse {
        ScratchUse(bytes: bytes(arguments), macro: macro, arguments: arguments)
    }
}
