/// N:M structured sparsity: along each output's reduction, every group of `m` consecutive
/// weights keeps at most `n`. Stored as the kept values and, per value, its index in the group.
///
/// **Group order.** Groups run in PyTorch's weight order, channels first: an output's reduction
/// is `positions × channels` in the op's logical (channels-last) order, and the `q`-th weight of
/// the group order is logical index `(q % positions) · channels + q / positions`. For a conv,
/// `channels` is the input channels per group and `positions = k_h · k_w`; for a fully connected
/// layer after a flatten, the flattened tensor's channels (1 for a plain vector, where both
/// orders agree). So a model pruned 2:4 in PyTorch order keeps its pattern here.
///
/// **Tail.** When `m` does not divide the reduction, its last `perOutput % m` weights (in group
/// order) are stored dense: their values, no indices.
///
/// Byte layout (the tables the kernels read):
/// - `values`: per output, each group's `n` values in index order, then the tail's values.
///   A group with fewer than `n` nonzeros is padded with zeros at its lowest unused indices.
/// - `indices`: per output, `n` indices per group of `indexBits` bits each (1 for m = 2, 2 for
///   m ≤ 4, 4 for m ≤ 16, so no index straddles a byte), least significant bits first,
///   strictly increasing within a group; each output starts on a byte boundary, unused bits 0.
///
/// Worked example, 2:4, one output of 9 weights with one channel, `[0, 3, 0, -2, 7, 0, 0, 0, 1]`:
/// group 0 keeps indices 1, 3 (values 3, −2); group 1 keeps index 0 (7) and is padded at index 1;
/// the tail is `[1]`. `values = [3, -2, 7, 0, 1]`, `indices = [0b01_00_11_01] = [0x4D]`.
/// 2:4 costs 4.5 bits per weight against 8 dense.
public struct NMSparseWeights: Hashable, Sendable, CompressedWeights {
    /// The largest group this format encodes (4-bit indices).
    public static let maxGroup = 16

    public var n: Int
    public var m: Int
    public var outputs: Int
    public var perOutput: Int
    /// The channels of the reduction (see the group order above); divides `perOutput`.
    public var channels: Int
    public var values: [Int8]
    public var indices: [UInt8]

    /// Takes the tables as they are (a `.q` file's contents); `GraphVerifier` checks them with
    /// `problem`.
    public init(n: Int, m: Int, outputs: Int, perOutput: Int, channels: Int, values: [Int8], indices: [UInt8]) {
        self.n = n
        self.m = m
        self.outputs = outputs
        self.perOutput = perOutput
        self.channels = channels
        self.values = values
        self.indices = indices
    }

    /// Encodes `logical` (`outputs` rows, the op's logical order) if every group keeps at most
    /// `n` nonzeros; nil when the pattern does not hold.
    public init?(encoding logical: [Int8], outputs: Int, channels: Int, n: Int, m: Int) {
        precondition(outputs > 0 && logical.count % outputs == 0, "\(logical.count) weights do not split into \(outputs) outputs")
        precondition(Self.isValidPattern(n: n, m: m), "\(n):\(m) is not an N:M pattern this format stores")
        let perOutput = logical.count / outputs
        precondition(channels > 0 && perOutput % channels == 0, "\(channels) channels do not divide \(perOutput) weights")
        self.init(n: n, m: m, outputs: outputs, perOutput: perOutput, channels: channels, values: [], indices: [])
        for o in 0..<outputs {
            let row = groupOrdered(logical, output: o)
            var bits = BitPacker(width: indexBits)
            for g in 0..<groupsPerOutput {
                let group = row[(g * m)..<((g + 1) * m)]
                var kept = group.indices.filter { group[$0] != 0 }.map { $0 - g * m }
                guard kept.count <= n else { return nil }
                // Pad with zeros at the lowest unused indices, keeping the indices increasing.
                for i in 0..<m where kept.count < n && !kept.contains(i) { kept.append(i) }
                kept.sort()
                for i in kept {
                    bits.append(i)
                    values.append(row[g * m + i])
                }
            }
            values += row[(groupsPerOutput * m)...]
            indices += bits.bytes
        }
    }

    /// Patterns this format stores: 1 ≤ n < m ≤ 16.
    public static func isValidPattern(n: Int, m: Int) -> Bool {
        n >= 1 && n < m && m <= maxGroup
    }

    /// The fewest kept weights per group for which `logical` fits `?:m` (the most nonzeros in
    /// any group), or nil when every group of some output is full (no N:M pattern with this m), or
    /// when an output has fewer than m weights (no group at all: the layer is only a dense tail).
    public static func smallestN(of logical: [Int8], outputs: Int, channels: Int, m: Int) -> Int? {
        let perOutput = logical.count / outputs
        guard perOutput >= m else { return nil }
        let layout = NMSparseWeights(n: 1, m: m, outputs: outputs, perOutput: perOutput, channels: channels, values: [], indices: [])
        var most = 0
        for o in 0..<outputs {
            let row = layout.groupOrdered(logical, output: o)
            for g in 0..<layout.groupsPerOutput {
                most = max(most, row[(g * m)..<((g + 1) * m)].filter { $0 != 0 }.count)
            }
        }
        return most < m ? max(most, 1) : nil
    }

    public var indexBits: Int { m <= 2 ? 1 : m <= 4 ? 2 : 4 }
    /// Whole groups whose indices fill one index byte exactly (2:4: two, 1:4: four), or 0 when
    /// groups straddle bytes. The kernels read such indices a byte or word at a time.
    public var groupsPerIndexByte: Int { (8 / indexBits) % n == 0 ? 8 / indexBits / n : 0 }
    public var groupsPerOutput: Int { perOutput / m }
    /// Weights per output stored dense after the last whole group.
    public var tail: Int { perOutput % m }
    public var valuesPerOutput: Int { groupsPerOutput * n + tail }
    public var indexBytesPerOutput: Int { (groupsPerOutput * n * indexBits + 7) / 8 }
    /// Positions per channel of the reduction (`k_h · k_w` for a conv).
    public var positions: Int { perOutput / max(channels, 1) }

    /// Bytes of the two tables.
    public var byteCount: Int { values.count + indices.count }

    /// The logical index (within an output) of the `q`-th weight in group order.
    public func logicalIndex(ofGroupPosition q: Int) -> Int {
        (q % positions) * channels + q / positions
    }

    /// Calls `body(output, logicalIndex, value)` for every stored value (padding zeros included),
    /// in table order. Assumes a valid layout (see `problem`).
    public func forEachValue(_ body: (_ output: Int, _ position: Int, _ value: Int8) -> Void) {
        for o in 0..<outputs {
            let row = values[(o * valuesPerOutput)..<((o + 1) * valuesPerOutput)]
            var k = row.startIndex
            for (j, index) in groupIndices(output: o).enumerated() {
                body(o, logicalIndex(ofGroupPosition: (j / n) * m + index), row[k])
                k += 1
            }
            for t in 0..<tail {
                body(o, logicalIndex(ofGroupPosition: groupsPerOutput * m + t), row[k])
                k += 1
            }
        }
    }

    /// Why the tables are not a valid encoding, or nil.
    public var problem: String? {
        guard Self.isValidPattern(n: n, m: m) else { return "\(n):\(m) is not a pattern of 1 ≤ N < M ≤ \(Self.maxGroup)" }
        guard outputs >= 0, perOutput >= 0, channels > 0, perOutput % channels == 0 else {
            return "\(channels) channels do not divide the \(perOutput) weights per output"
        }
        guard values.count == outputs * valuesPerOutput else {
            return "\(values.count) values, expected \(outputs) outputs × \(valuesPerOutput)"
        }
        guard indices.count == outputs * indexBytesPerOutput else {
            return "\(indices.count) index bytes, expected \(outputs) outputs × \(indexBytesPerOutput)"
        }
        for o in 0..<outputs {
            let found = groupIndices(output: o)
            for g in 0..<groupsPerOutput {
                let group = found[(g * n)..<((g + 1) * n)]
                guard group.allSatisfy({ $0 < m }), zip(group, group.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    return "output \(o), group \(g) has indices \(Array(group)); expected increasing indices below \(m)"
                }
            }
            var repacked = BitPacker(width: indexBits)
            found.forEach { repacked.append($0) }
            let start = o * indexBytesPerOutput
            guard repacked.bytes == Array(indices[start..<(start + indexBytesPerOutput)]) else {
                return "output \(o) has nonzero unused index bits"
            }
        }
        return nil
    }

    /// The stored indices of one output's groups, `n` per group.
    private func groupIndices(output o: Int) -> [Int] {
        let mask = (1 << indexBits) - 1, perByte = 8 / indexBits
        let start = o * indexBytesPerOutput
        return (0..<(groupsPerOutput * n)).map { k in
            Int(indices[start + k / perByte] >> UInt8((k % perByte) * indexBits)) & mask
        }
    }

    /// One output's weights in group order.
    private func groupOrdered(_ logical: [Int8], output o: Int) -> [Int8] {
        (0..<perOutput).map { logical[o * perOutput + logicalIndex(ofGroupPosition: $0)] }
    }
}

/// Packs small unsigned fields into bytes, least significant bits first.
private struct BitPacker {
    let width: Int
    private(set) var bytes: [UInt8] = []
    private var used = 8

    init(width: Int) { self.width = width }

    mutating func append(_ field: Int) {
        if used + width > 8 {
            bytes.append(0)
            used = 0
        }
        bytes[bytes.count - 1] |= UInt8(field << used)
        used += width
    }
}
