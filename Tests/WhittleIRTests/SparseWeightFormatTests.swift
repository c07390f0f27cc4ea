import WhittleIR
import XCTest

/// The compressed weight formats: the worked examples of their documentation byte for byte,
/// round trips on random masks and edge cases, and the verifier's view of broken tables.
final class SparseWeightFormatTests: XCTestCase {
    /// `outputs` rows of `perOutput` weights, each nonzero with probability `density`.
    private func randomWeights(outputs: Int, perOutput: Int, density: Double, seed: UInt64) -> [Int8] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(outputs * perOutput)).map { _ in
            Double(rng.next() >> 11) / Double(1 << 53) < density ? Int8.random(in: -127...127, using: &rng) | 1 : 0
        }
    }

    /// Rows that stress the position encodings: all zero, fully dense, a run of zeros longer
    /// than any one gap, single weights at either end, and a row of more than 255 entries.
    private func edgeCaseRows(perOutput: Int) -> [Int8] {
        var rows: [[Int8]] = [
            [Int8](repeating: 0, count: perOutput),
            (0..<perOutput).map { Int8(truncatingIfNeeded: $0 % 250 + 1) },
            [Int8](repeating: 0, count: perOutput - 1) + [9],
            [-9] + [Int8](repeating: 0, count: perOutput - 1),
        ]
        var run = [Int8](repeating: 0, count: perOutput)
        run[1] = 5
        run[perOutput - 2] = -5
        rows.append(run)
        return rows.flatMap { $0 }
    }

    // MARK: - Index (gap nibbles)

    func testIndexWorkedExample() {
        let row: [Int8] = [0, 0, 5] + [Int8](repeating: 0, count: 17) + [-3]
        let sparse = IndexSparseWeights(encoding: row, outputs: 1)
        XCTAssertEqual(sparse.values, [5, -3])
        XCTAssertEqual(sparse.gaps, [0xF2, 0x02])
        XCTAssertEqual(sparse.counts, [3])
        XCTAssertEqual(sparse.denseValues, row)
        XCTAssertNil(sparse.problem)
    }

    func testIndexRoundTripsRandomMasksAndEdgeCases() {
        for (seed, density) in [(1, 0.05), (2, 0.25), (3, 0.6), (4, 1.0)] {
            let w = randomWeights(outputs: 7, perOutput: 300, density: density, seed: UInt64(seed))
            let sparse = IndexSparseWeights(encoding: w, outputs: 7)
            XCTAssertEqual(sparse.denseValues, w, "density \(density)")
            XCTAssertNil(sparse.problem)
            XCTAssertEqual(sparse.values.count, w.filter { $0 != 0 }.count, "only nonzeros are stored")
        }
        let edges = edgeCaseRows(perOutput: 600)
        let sparse = IndexSparseWeights(encoding: edges, outputs: 5)
        XCTAssertEqual(sparse.denseValues, edges)
        XCTAssertNil(sparse.problem)
        // The dense row of 600 takes three count bytes (255, 255, 90); the all-zero row one 0.
        XCTAssertEqual(Array(sparse.counts.prefix(4)), [0, 255, 255, 90])
        // Row 2 skips 599 weights (39 escapes and a gap of 14), row 4 skips 596 between its two.
        XCTAssertEqual(sparse.valuesPerOutput, [0, 600, 1, 1, 2])
    }

    /// A row of exactly 255 nibbles needs a count 0 after the 255 that announced more.
    func testIndexChunkBoundary() {
        let row = [Int8](repeating: 3, count: 255)
        let sparse = IndexSparseWeights(encoding: row, outputs: 1)
        XCTAssertEqual(sparse.counts, [255, 0])
        XCTAssertEqual(sparse.denseValues, row)
    }

    func testIndexProblems() {
        let good = IndexSparseWeights(encoding: [0, 1, 0, 2, 0, 0, 3, 0], outputs: 2)
        XCTAssertNil(good.problem)
        var past = good
        past.gaps[0] = 0x0F - 1 // a gap of 14 in a row of 4
        XCTAssertTrue(past.problem?.contains("past its 4 weights") ?? false, past.problem ?? "")
        var short = good
        short.values.removeLast()
        XCTAssertNotNil(short.problem)
        var extra = good
        extra.counts.append(0)
        XCTAssertTrue(extra.problem?.contains("left over") ?? false, extra.problem ?? "")
        var nibble = good
        nibble.gaps[nibble.gaps.count - 1] |= 0x30
        XCTAssertNotNil(nibble.problem)
    }

    // MARK: - Bitmap

    func testBitmapWorkedExampleAndRoundTrips() {
        let row: [Int8] = [0, 7, 0, 0, -2, 0, 0, 0, 0, 5]
        let bitmap = BitmapSparseWeights(encoding: row, outputs: 1)
        XCTAssertEqual(bitmap.masks, [0x12, 0x02])
        XCTAssertEqual(bitmap.values, [7, -2, 5])
        XCTAssertEqual(bitmap.denseValues, row)
        for (seed, perOutput) in [(5, 13), (6, 64), (7, 300)] {
            let w = randomWeights(outputs: 5, perOutput: perOutput, density: 0.3, seed: UInt64(seed))
            XCTAssertEqual(BitmapSparseWeights(encoding: w, outputs: 5).denseValues, w)
        }
        let edges = edgeCaseRows(perOutput: 21)
        let encoded = BitmapSparseWeights(encoding: edges, outputs: 5)
        XCTAssertEqual(encoded.denseValues, edges)
        XCTAssertNil(encoded.problem)
        var stray = encoded
        stray.masks[2] |= 0x80 // bit 23 of a 21-weight row
        XCTAssertTrue(stray.problem?.contains("past its 21") ?? false, stray.problem ?? "")
        var count = encoded
        count.values.append(1)
        XCTAssertTrue(count.problem?.contains("mark") ?? false, count.problem ?? "")
    }

    // MARK: - N:M

    func testNMWorkedExample() throws {
        let row: [Int8] = [0, 3, 0, -2, 7, 0, 0, 0, 1]
        let nm = try XCTUnwrap(NMSparseWeights(encoding: row, outputs: 1, channels: 1, n: 2, m: 4))
        XCTAssertEqual(nm.values, [3, -2, 7, 0, 1])
        XCTAssertEqual(nm.indices, [0x4D])
        XCTAssertEqual(nm.tail, 1)
        XCTAssertEqual(nm.denseValues, row)
        XCTAssertNil(nm.problem)
        XCTAssertNil(NMSparseWeights(encoding: [1, 2, 3, 0], outputs: 1, channels: 1, n: 2, m: 4), "3 nonzeros in a group of 4")
    }

    /// Groups run channels first: with 2 channels over 3 positions, the group order is
    /// c0p0, c0p1, c0p2, c1p0, … = logical 0, 2, 4, 1, 3, 5.
    func testNMGroupsRunChannelsFirst() throws {
        // Channels-last logical order [p0c0, p0c1, p1c0, p1c1, p2c0, p2c1].
        let logical: [Int8] = [1, 0, 0, 5, 2, 0]
        // Group order: [1, 0, 2 | 0, 5, 0]: 1:3 fails on the first group, 2:3 holds.
        XCTAssertNil(NMSparseWeights(encoding: logical, outputs: 1, channels: 2, n: 1, m: 3))
        let nm = try XCTUnwrap(NMSparseWeights(encoding: logical, outputs: 1, channels: 2, n: 2, m: 3))
        XCTAssertEqual(nm.values, [1, 2, 0, 5])
        XCTAssertEqual(nm.denseValues, logical)
        XCTAssertEqual((0..<6).map(nm.logicalIndex(ofGroupPosition:)), [0, 2, 4, 1, 3, 5])
        XCTAssertEqual(NMSparseWeights.smallestN(of: logical, outputs: 1, channels: 2, m: 3), 2)
        XCTAssertEqual(NMSparseWeights.smallestN(of: logical, outputs: 1, channels: 2, m: 6), 3)
        XCTAssertNil(NMSparseWeights.smallestN(of: [1, 2, 3, 4], outputs: 1, channels: 1, m: 2), "a full group fits no N:M")
    }

    func testNMRoundTripsEveryPatternWithTails() throws {
        var rng = SeededGenerator(seed: 11)
        for (n, m) in [(1, 2), (2, 4), (1, 4), (3, 4), (2, 3), (2, 8), (4, 8), (3, 5), (1, 16), (8, 16)] {
            for (channels, positions) in [(1, 25), (6, 25), (16, 16), (3, 7)] {
                let perOutput = channels * positions
                // Prune random weights to the pattern in group order, with some groups all zero.
                let probe = NMSparseWeights(n: n, m: m, outputs: 1, perOutput: perOutput, channels: channels, values: [], indices: [])
                var logical = [Int8](repeating: 0, count: 4 * perOutput)
                for o in 0..<4 {
                    for g in 0..<(perOutput / m) where Int.random(in: 0..<5, using: &rng) > 0 {
                        for i in (0..<m).shuffled(using: &rng).prefix(Int.random(in: 1...n, using: &rng)) {
                            logical[o * perOutput + probe.logicalIndex(ofGroupPosition: g * m + i)] = Int8.random(in: 1...127, using: &rng)
                        }
                    }
                    for t in (perOutput / m * m)..<perOutput {
                        logical[o * perOutput + probe.logicalIndex(ofGroupPosition: t)] = Int8.random(in: -127...127, using: &rng)
                    }
                }
                let nm = try XCTUnwrap(NMSparseWeights(encoding: logical, outputs: 4, channels: channels, n: n, m: m), "\(n):\(m)")
                XCTAssertEqual(nm.denseValues, logical, "\(n):\(m) over \(channels)×\(positions)")
                XCTAssertNil(nm.problem)
                XCTAssertEqual(nm.values.count, 4 * (perOutput / m * n + perOutput % m))
                XCTAssertEqual(nm.indices.count, 4 * ((perOutput / m * n * nm.indexBits + 7) / 8))
                XCTAssertLessThanOrEqual(NMSparseWeights.smallestN(of: logical, outputs: 4, channels: channels, m: m) ?? m, n)
            }
        }
    }

    func testNMProblems() throws {
        let good = try XCTUnwrap(NMSparseWeights(encoding: [0, 3, 0, -2, 7, 0, 0, 0, 1], outputs: 1, channels: 1, n: 2, m: 4))
        var order = good
        order.indices = [0b01_00_01_11] // group 0 indices 3, 1: not increasing
        XCTAssertTrue(order.problem?.contains("increasing") ?? false, order.problem ?? "")
        var pattern = good
        pattern.n = 4
        XCTAssertTrue(pattern.problem?.contains("not a pattern") ?? false, pattern.problem ?? "")
        var channels = good
        channels.channels = 2
        XCTAssertNotNil(channels.problem)
        XCTAssertFalse(NMSparseWeights.isValidPattern(n: 4, m: 4))
        XCTAssertFalse(NMSparseWeights.isValidPattern(n: 1, m: 17))
    }

    // MARK: - In a graph

    /// A graph with one layer in every format: the verifier names a broken table's layer and
    /// rule, the `.q` file keeps every format bit for bit, and the interpreter computes the same
    /// outputs whatever the storage.
    func testFormatsInGraphsAndFiles() throws {
        func graph(_ formats: [WeightFormat]) throws -> QGraph {
            var b = QGraphBuilder(inputShape: TensorShape(height: 6, width: 6, channels: 4), inputQuant: QuantParams(scale: 0.02, zeroPoint: -3),
                                  inputDescription: "test")
            var rng = SeededGenerator(seed: 3)
            func weights(_ count: Int) -> [Int8] {
                // 2:4 in every group of every row (fan-ins 36 and 144 are multiples of 4).
                (0..<count).map { $0 % 4 < 2 ? Int8.random(in: -90...90, using: &rng) : 0 }
            }
            var x = try b.conv2d(b.input, name: "conv", weights: weights(8 * 36), weightScales: [Double](repeating: 0.01, count: 8),
                                 bias: [Int32](repeating: 100, count: 8), outputChannels: 8, window: Window2D(kernel: 3, padding: 1),
                                 output: QuantParams(scale: 0.2, zeroPoint: -128), activation: .relu, format: formats[0])
            x = try b.maxPool(x, name: "pool", window: Window2D(kernel: 2, stride: 2))
            x = try b.flatten(x, name: "flatten")
            x = try b.fullyConnected(x, name: "fc1", weights: weights(12 * 72), weightScales: [Double](repeating: 0.01, count: 12),
                                     bias: [Int32](repeating: -50, count: 12), outputCount: 12,
                                     output: QuantParams(scale: 0.3, zeroPoint: -128), activation: .relu, format: formats[1])
            x = try b.fullyConnected(x, name: "fc2", weights: weights(5 * 12), weightScales: [Double](repeating: 0.01, count: 5),
                                     bias: [Int32](repeating: 7, count: 5), outputCount: 5,
                                     output: QuantParams(scale: 0.1, zeroPoint: 3), activation: .none, format: formats[2])
            return try b.finish(output: x)
        }
        let dense = try graph([.dense, .dense, .dense])
        let inputs = (0..<(8 * 144)).map { Int8(truncatingIfNeeded: $0 &* 37) }
        let expected = try ReferenceInterpreter(graph: dense).run(batch: inputs, count: 8)
        for formats in [[WeightFormat.indexSparse, .bitmap, .nm(n: 2, m: 4)], [.nm(n: 2, m: 4), .indexSparse, .bitmap],
                        [.bitmap, .nm(n: 2, m: 4), .indexSparse]] {
            let sparse = try graph(formats)
            XCTAssertEqual(try ReferenceInterpreter(graph: sparse).run(batch: inputs, count: 8), expected, "\(formats)")
            XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(sparse), name: "sparse.q"), sparse)
            XCTAssertEqual(try AccumulatorRangeAnalysis.check(sparse), try AccumulatorRangeAnalysis.check(dense),
                           "bounds over the kept weights equal the dense bounds: zeros add nothing")
        }
        // fc1 flattens a 3x3x8 tensor: its N:M groups run over 8 channels.
        let nm = try graph([.dense, .nm(n: 2, m: 4), .dense])
        guard case .fullyConnected(var fc) = nm.nodes[3].op, case .nm(var weights) = fc.weights else { return XCTFail() }
        XCTAssertEqual(weights.channels, 8)
        weights.channels = 1
        fc.weights = .nm(weights)
        var broken = nm
        broken.nodes[3].op = .fullyConnected(fc)
        XCTAssertThrowsError(try GraphVerifier.verify(broken)) { error in
            let e = error as! GraphVerificationError
            XCTAssertEqual(e.rule, .weightFormat)
            XCTAssertTrue(e.description.contains("'fc1'") && e.description.contains("8"), e.description)
        }
        // A broken table inside a file: rejected on read, naming the layer and the rule.
        let index = try graph([.indexSparse, .dense, .dense])
        guard case .conv2d(var conv) = index.nodes[0].op, case .indexSparse(var table) = conv.weights else { return XCTFail() }
        table.counts[0] = 200
        conv.weights = .indexSparse(table)
        var corrupt = index
        corrupt.nodes[0].op = .conv2d(conv)
        XCTAssertThrowsError(try QGraphFile.decode(QGraphFile.encode(corrupt), name: "model.q")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.hasPrefix("model.q: ") && message.contains("'conv'") && message.contains("weight-format"), message)
        }
        // A pattern the weights do not follow cannot be built.
        XCTAssertThrowsError(try graph([.nm(n: 1, m: 4), .dense, .dense])) { error in
            XCTAssertTrue(String(describing: error).contains("layer 'conv'") && String(describing: error).contains("1:4"), "\(error)")
        }
    }

    /// An unknown format tag (a newer whittle's) is a one-line error naming the layer.
    func testUnknownFormatTagIsRejected() throws {
        var b = QGraphBuilder(inputShape: TensorShape(vector: 4), inputQuant: QuantParams(scale: 1, zeroPoint: 0), inputDescription: "x")
        let y = try b.fullyConnected(b.input, name: "only", weights: [1, 0, 0, 2], weightScales: [0.5], bias: [0], outputCount: 1,
                                     output: QuantParams(scale: 1, zeroPoint: 0), activation: .none, format: .bitmap)
        var bytes = QGraphFile.encode(try b.finish(output: y))
        // The node (after the tensors, one also named "only"): its name, one input (a count and an
        // id), its output id, then the op tag (2, fully connected) and the weight format tag (3).
        let name = Array("only".utf8)
        let nameEnd = (0..<(bytes.count - 4)).last { Array(bytes[$0..<($0 + 4)]) == name }! + 4
        let opTag = nameEnd + 8 + 4 + 4
        XCTAssertEqual([bytes[opTag], bytes[opTag + 1]], [2, 3])
        bytes[opTag + 1] = 9
        // Keep the checksum valid so the format tag is what fails.
        let payload = Array(bytes[20...])
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in payload {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(16..<20, with: $0) }
        XCTAssertThrowsError(try QGraphFile.decode(bytes, name: "new.q")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("new.q") && message.contains("'only'") && message.contains("unknown weight format 9"), message)
        }
    }

    /// Executed MACs and flash bytes of each format, by hand, on a 2-filter 3x3 conv over 4x4x1.
    func testFootprintByHand() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 4, width: 4, channels: 1), inputQuant: QuantParams(scale: 1, zeroPoint: 0),
                              inputDescription: "x")
        let w: [Int8] = [1, 0, 0, 0, 2, 0, 0, 0, 3] + [0, 0, 0, 0, 0, 0, 0, 0, 4]
        let y = try b.conv2d(b.input, name: "c", weights: w, weightScales: [0.5, 0.5], bias: [0, 0], outputChannels: 2,
                             window: Window2D(kernel: 3), output: QuantParams(scale: 1, zeroPoint: 0), activation: .none, format: .indexSparse)
        let graph = try b.finish(output: y)
        let footprint = try XCTUnwrap(LayerFootprint.of(graph.nodes[0], in: graph))
        XCTAssertEqual(footprint.format, .indexSparse)
        XCTAssertEqual(footprint.denseMACs, 4 * 18)
        XCTAssertEqual(footprint.executedMACs, 4 * 4, "4 nonzeros at each of the 2x2 output pixels")
        XCTAssertEqual(footprint.valueBytes, 4)
        XCTAssertEqual(footprint.positionBytes, 2 + 1 + 2, "gap bytes 2 + 1, one count byte per filter")
        XCTAssertEqual(footprint.flashBytes, 9 + 18, "weights + 2 × (bias 4, multiplier 4, shift 1)")
        XCTAssertEqual(footprint.denseFlashBytes, 18 + 18)
        XCTAssertEqual(footprint.density, 4.0 / 18, accuracy: 1e-12)
    }
}
