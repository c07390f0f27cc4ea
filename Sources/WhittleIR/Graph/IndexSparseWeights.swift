/// Unstructured sparsity: each output's kept weights in logical order, as a stream of 4-bit
/// gaps (how many positions to skip) and the int8 values they lead to. The three arrays are the
/// tables the kernels read, byte for byte.
///
/// - `gaps`: nibbles, the low one first. A nibble `g` below 15 skips `g` positions and the next
///   value sits at the position reached; the escape 15 skips 15 positions and reads no value, so
///   a gap of 15 or more costs one extra nibble per 15. Each chunk of nibbles (below) starts on a
///   byte boundary, so a chunk with an odd count leaves its last high nibble 0.
/// - `values`: int8, one per nibble below 15, output after output.
/// - `counts`: per output, one byte per chunk of nibbles. A byte below 255 is the output's last
///   chunk; 255 means 255 nibbles and another count byte for the same output follows.
///
/// Position information costs about 4 bits per kept weight: at the densities pruning leaves
/// (10–25 %) that is close to the entropy of the mask and below a bitmap (1 bit per weight);
/// above about 25 % `BitmapSparseWeights` is smaller, and the format choice costs both.
///
/// Worked example, one output of 21 weights `[0, 0, 5, 0 × 17, -3]`: nibble 2 (5 at position 2),
/// then the escape 15 (on to position 18) and 2 (−3 at position 20):
/// `gaps = [0xF2, 0x02]`, `values = [5, -3]`, `counts = [3]`.
public struct IndexSparseWeights: Hashable, Sendable, CompressedWeights {
    /// The escape nibble: skip this many positions, no value.
    public static let escape = 15
    /// The most nibbles one count byte covers; the byte value 255 also means "more follow".
    public static let chunkLimit = 255

    public var outputs: Int
    public var perOutput: Int
    public var values: [Int8]
    public var gaps: [UInt8]
    public var counts: [UInt8]

    /// Takes the tables as they are (a `.q` file's contents); `GraphVerifier` checks them with
    /// `problem`.
    public init(outputs: Int, perOutput: Int, values: [Int8], gaps: [UInt8], counts: [UInt8]) {
        self.outputs = outputs
        self.perOutput = perOutput
        self.values = values
        self.gaps = gaps
        self.counts = counts
    }

    /// Encodes `logical` (`outputs` rows of equal length, the op's logical order), keeping every
    /// nonzero weight.
    public init(encoding logical: [Int8], outputs: Int) {
        precondition(outputs > 0 && logical.count % outputs == 0, "\(logical.count) weights do not split into \(outputs) outputs")
        let perOutput = logical.count / outputs
        var values: [Int8] = [], gaps: [UInt8] = [], counts: [UInt8] = []
        for o in 0..<outputs {
            var nibbles: [Int] = []
            var next = 0
            for i in 0..<perOutput where logical[o * perOutput + i] != 0 {
                var gap = i - next
                while gap >= Self.escape {
                    nibbles.append(Self.escape)
                    gap -= Self.escape
                }
                nibbles.append(gap)
                values.append(logical[o * perOutput + i])
                next = i + 1
            }
            var start = 0
            repeat {
                let chunk = nibbles[start..<min(start + Self.chunkLimit, nibbles.count)]
                counts.append(UInt8(chunk.count))
                for pair in stride(from: chunk.startIndex, to: chunk.endIndex, by: 2) {
                    let high = pair + 1 < chunk.endIndex ? chunk[pair + 1] : 0
                    gaps.append(UInt8(chunk[pair] | high << 4))
                }
                start += chunk.count
            } while start < nibbles.count || counts.last == UInt8(Self.chunkLimit)
        }
        self.init(outputs: outputs, perOutput: perOutput, values: values, gaps: gaps, counts: counts)
    }

    /// Calls `body(output, position, value)` for every stored value, in table order. Stops early
    /// (without a call) at the first nibble that breaks the layout; `problem` names it.
    public func forEachValue(_ body: (_ output: Int, _ position: Int, _ value: Int8) -> Void) {
        _ = walk(body)
    }

    /// Stored values per output.
    public var valuesPerOutput: [Int] {
        var result = [Int](repeating: 0, count: outputs)
        forEachValue { o, _, _ in result[o] += 1 }
        return result
    }

    /// Bytes of the three tables.
    public var byteCount: Int { values.count + gaps.count + counts.count }

    /// Why the tables are not a valid encoding of `outputs × perOutput` weights, or nil.
    public var problem: String? { walk { _, _, _ in } }

    /// Decodes the tables, reporting each entry; returns the first inconsistency found.
    private func walk(_ body: (Int, Int, Int8) -> Void) -> String? {
        guard outputs >= 0, perOutput >= 0 else { return "negative shape \(outputs) × \(perOutput)" }
        var countIndex = 0, gapIndex = 0, valueIndex = 0
        for o in 0..<outputs {
            var next = 0
            var chunk = 0
            repeat {
                guard countIndex < counts.count else { return "the counts end inside output \(o)" }
                chunk = Int(counts[countIndex])
                countIndex += 1
                guard gapIndex + (chunk + 1) / 2 <= gaps.count else { return "the gaps end inside output \(o)" }
                for k in 0..<chunk {
                    let byte = gaps[gapIndex + k / 2]
                    let gap = Int(k % 2 == 0 ? byte & 0x0F : byte >> 4)
                    if gap == Self.escape {
                        next += gap
                        continue
                    }
                    let position = next + gap
                    guard position < perOutput else {
                        return "output \(o) has a value at position \(position), past its \(perOutput) weights"
                    }
                    guard valueIndex < values.count else { return "the values end inside output \(o)" }
                    body(o, position, values[valueIndex])
                    valueIndex += 1
                    next = position + 1
                }
                if chunk % 2 == 1, gaps[gapIndex + chunk / 2] >> 4 != 0 {
                    return "output \(o) has a nonzero unused gap nibble"
                }
                gapIndex += (chunk + 1) / 2
            } while chunk == Self.chunkLimit
            guard next <= perOutput else { return "output \(o) skips past its \(perOutput) weights" }
        }
        if countIndex != counts.count || gapIndex != gaps.count || valueIndex != values.count {
            return "\(counts.count - countIndex) count, \(gaps.count - gapIndex) gap and \(values.count - valueIndex) value bytes left over after \(outputs) outputs"
        }
        return nil
    }
}
