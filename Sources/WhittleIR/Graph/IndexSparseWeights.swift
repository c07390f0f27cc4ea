/// Unstructured sparsity: each output's kept weights in logical order, as entries of an int8
/// value and a 4-bit gap (how many positions were skipped since the previous entry). The three
/// arrays are the tables the kernels read, byte for byte.
///
/// - `values`: int8, the entries of output 0, then of output 1, …
/// - `gaps`: one nibble per entry, the low nibble first. Each chunk of entries (below) starts on
///   a byte boundary, so a chunk with an odd count leaves its last high nibble 0.
/// - `counts`: per output, one byte per chunk of entries. A byte below 255 is the output's last
///   chunk; 255 means 255 entries and another count byte for the same output follows.
///
/// A gap longer than 15 is bridged by a *filler*: an entry with gap 15 and value 0. The kernels
/// multiply it like any entry (cheaper than a branch per entry); it costs a value byte and a
/// nibble, and occurs about once per 16 skipped positions of a long zero run.
///
/// Position information costs 4 bits per entry: at the densities pruning leaves (15–30 %) that is
/// close to the entropy of the mask and below a bitmap (1 bit per weight).
///
/// Worked example, one output of 21 weights `[0, 0, 5, 0 × 17, -3]`:
/// entries (gap 2, 5) at position 2, (gap 15, 0) at 18 — a filler — and (gap 1, −3) at 20;
/// `values = [5, 0, -3]`, `gaps = [0xF2, 0x01]`, `counts = [3]`.
public struct IndexSparseWeights: Hashable, Sendable, CompressedWeights {
    /// The longest gap one entry encodes.
    public static let maxGap = 15
    /// The most entries one count byte covers; the byte value 255 also means "more follow".
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
            var entries: [(gap: Int, value: Int8)] = []
            var next = 0
            for i in 0..<perOutput where logical[o * perOutput + i] != 0 {
                var gap = i - next
                while gap > Self.maxGap {
                    entries.append((Self.maxGap, 0))
                    gap -= Self.maxGap + 1
                }
                entries.append((gap, logical[o * perOutput + i]))
                next = i + 1
            }
            var start = 0
            repeat {
                let chunk = entries[start..<min(start + Self.chunkLimit, entries.count)]
                counts.append(UInt8(chunk.count))
                for pair in stride(from: chunk.startIndex, to: chunk.endIndex, by: 2) {
                    let high = pair + 1 < chunk.endIndex ? chunk[pair + 1].gap : 0
                    gaps.append(UInt8(chunk[pair].gap | high << 4))
                }
                values += chunk.map(\.value)
                start += chunk.count
            } while start < entries.count || counts.last == UInt8(Self.chunkLimit)
        }
        self.init(outputs: outputs, perOutput: perOutput, values: values, gaps: gaps, counts: counts)
    }

    /// Calls `body(output, position, value)` for every entry, fillers included, in table order.
    /// Stops early (without a call) at the first entry that breaks the layout; `problem` names it.
    public func forEachValue(_ body: (_ output: Int, _ position: Int, _ value: Int8) -> Void) {
        _ = walk(body)
    }

    /// Entries (kept weights and fillers) per output.
    public var entriesPerOutput: [Int] {
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
                guard valueIndex + chunk <= values.count else { return "the values end inside output \(o)" }
                for k in 0..<chunk {
                    let byte = gaps[gapIndex + k / 2]
                    let gap = Int(k % 2 == 0 ? byte & 0x0F : byte >> 4)
                    let position = next + gap
                    guard position < perOutput else {
                        return "output \(o) has an entry at position \(position), past its \(perOutput) weights"
                    }
                    body(o, position, values[valueIndex + k])
                    next = position + 1
                }
                if chunk % 2 == 1, gaps[gapIndex + chunk / 2] >> 4 != 0 {
                    return "output \(o) has a nonzero unused gap nibble"
                }
                gapIndex += (chunk + 1) / 2
                valueIndex += chunk
            } while chunk == Self.chunkLimit
        }
        if countIndex != counts.count || gapIndex != gaps.count || valueIndex != values.count {
            return "\(counts.count - countIndex) count, \(gaps.count - gapIndex) gap and \(values.count - valueIndex) value bytes left over after \(outputs) outputs"
        }
        return nil
    }
}
