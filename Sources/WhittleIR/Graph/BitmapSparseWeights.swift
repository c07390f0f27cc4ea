/// Unstructured sparsity as a bitmap per output: one bit per weight (set: the weight is stored)
/// and the stored values in logical order. The two arrays are the tables the kernels read.
///
/// - `masks`: per output, ⌈perOutput / 8⌉ bytes; bit `i` of byte `j` (least significant first)
///   stands for weight `8j + i`; the bits past the last weight are 0.
/// - `values`: int8, the stored weights of output 0, then of output 1, …
///
/// Position information costs 1 bit per weight whatever the density: less than the 4-bit gaps
/// of `IndexSparseWeights` above about 25 % density, more below it. The format choice costs both.
///
/// Worked example, one output of 10 weights `[0, 7, 0, 0, -2, 0, 0, 0, 0, 5]`:
/// `masks = [0b0001_0010, 0b0000_0010] = [0x12, 0x02]`, `values = [7, -2, 5]`.
public struct BitmapSparseWeights: Hashable, Sendable, CompressedWeights {
    public var outputs: Int
    public var perOutput: Int
    public var values: [Int8]
    public var masks: [UInt8]

    /// Takes the tables as they are (a `.q` file's contents); `GraphVerifier` checks them with
    /// `problem`.
    public init(outputs: Int, perOutput: Int, values: [Int8], masks: [UInt8]) {
        self.outputs = outputs
        self.perOutput = perOutput
        self.values = values
        self.masks = masks
    }

    /// Encodes `logical` (`outputs` rows of equal length, the op's logical order), keeping every
    /// nonzero weight.
    public init(encoding logical: [Int8], outputs: Int) {
        precondition(outputs > 0 && logical.count % outputs == 0, "\(logical.count) weights do not split into \(outputs) outputs")
        let perOutput = logical.count / outputs
        self.init(outputs: outputs, perOutput: perOutput, values: logical.filter { $0 != 0 }, masks: [])
        let bytesPerOutput = (perOutput + 7) / 8
        masks = [UInt8](repeating: 0, count: outputs * bytesPerOutput)
        for o in 0..<outputs {
            for i in 0..<perOutput where logical[o * perOutput + i] != 0 {
                masks[o * bytesPerOutput + i / 8] |= 1 << UInt8(i % 8)
            }
        }
    }

    public var bytesPerOutput: Int { (perOutput + 7) / 8 }

    /// Bytes of the two tables.
    public var byteCount: Int { values.count + masks.count }

    /// Calls `body(output, position, value)` for every stored value, in table order. Assumes a
    /// valid layout (see `problem`).
    public func forEachValue(_ body: (_ output: Int, _ position: Int, _ value: Int8) -> Void) {
        var k = 0
        for o in 0..<outputs {
            for i in 0..<perOutput where masks[o * bytesPerOutput + i / 8] >> UInt8(i % 8) & 1 != 0 {
                body(o, i, values[k])
                k += 1
            }
        }
    }

    /// Why the tables are not a valid encoding of `outputs × perOutput` weights, or nil.
    public var problem: String? {
        guard outputs >= 0, perOutput >= 0 else { return "negative shape \(outputs) × \(perOutput)" }
        guard masks.count == outputs * bytesPerOutput else {
            return "\(masks.count) mask bytes, expected \(outputs) outputs × \(bytesPerOutput)"
        }
        if perOutput % 8 != 0 {
            for o in 0..<outputs where masks[(o + 1) * bytesPerOutput - 1] >> UInt8(perOutput % 8) != 0 {
                return "output \(o) marks weights past its \(perOutput)"
            }
        }
        let stored = masks.reduce(0) { $0 + $1.nonzeroBitCount }
        guard stored == values.count else { return "the masks mark \(stored) weights, the values hold \(values.count)" }
        return nil
    }
}
