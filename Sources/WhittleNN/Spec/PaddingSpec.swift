import WhittleTensor

/// A layer's `padding`: a number or a pair [h, w] (PyTorch's `padding=`, the same on both
/// sides), or TensorFlow's "same" (ceil(in / stride) outputs, the odd pad at the bottom and
/// right) or "valid" (none).
public enum PaddingSpec: Codable, Equatable, Sendable {
    case explicit(IntPair)
    case same
    case valid

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let word = try? c.decode(String.self) else { self = .explicit(try IntPair(from: decoder)); return }
        switch word {
        case "same": self = .same
        case "valid": self = .valid
        default:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown padding '\(word)' (valid: a number, a pair [h, w], \"same\", \"valid\")")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .explicit(let pair): try pair.encode(to: encoder)
        case .same: var c = encoder.singleValueContainer(); try c.encode("same")
        case .valid: var c = encoder.singleValueContainer(); try c.encode("valid")
        }
    }

    /// The four pads for an input of height × width (only "same" depends on them).
    public func resolve(height: Int, width: Int, kernel: IntPair, stride: IntPair) -> Padding2D {
        switch self {
        case .explicit(let p): return Padding2D(p.first, p.second)
        case .same: return .same(height: height, width: width, kernel: (kernel.first, kernel.second), stride: (stride.first, stride.second))
        case .valid: return .zero
        }
    }
}
