import Foundation
import WhittleIR
import XCTest

final class QGraphFileTests: XCTestCase {
    private func sample() -> QGraph {
        var graph = SampleGraphs.leNet(seed: 4, validationCount: 5)
        graph.validation!.labels = [0, 1, 2, 3, 9]
        graph.validation!.floatLogits = (0..<50).map { Float($0) * 0.25 - 3 }
        return graph
    }

    func testRoundTripIsExact() throws {
        var withTable = sample()
        withTable.rawInputTable = (0..<256).map { Int8(truncatingIfNeeded: $0 - 128) }
        for graph in [sample(), SampleGraphs.random(seed: 9), withTable] {
            let bytes = QGraphFile.encode(graph)
            XCTAssertEqual(Array(bytes[0..<4]), Array("WHQG".utf8))
            XCTAssertEqual(try QGraphFile.decode(bytes, name: "model.q"), graph)
        }
    }

    func testWriteAndReadFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("qgraph-\(UUID().uuidString).q")
        defer { try? FileManager.default.removeItem(at: url) }
        try QGraphFile.write(sample(), to: url)
        XCTAssertEqual(try QGraphFile.read(from: url), sample())
        XCTAssertThrowsError(try QGraphFile.read(from: url.appendingPathExtension("missing"))) { error in
            XCTAssertTrue(String(describing: error).contains("cannot read"))
        }
    }

    func testTruncatedFilesAreRejected() {
        let bytes = QGraphFile.encode(sample())
        for length in [0, 3, 4, 10, 19, 20, 21, bytes.count / 2, bytes.count - 1] {
            assertRejected(Array(bytes.prefix(length)), mentioning: ["truncated"])
        }
    }

    func testCorruptFilesAreRejected() {
        var bytes = QGraphFile.encode(sample())
        bytes[bytes.count / 3] ^= 0x40
        assertRejected(bytes, mentioning: ["corrupt", "checksum"])
        assertRejected(QGraphFile.encode(sample()) + [0], mentioning: ["corrupt"])
        assertRejected(Array("PK\u{3}\u{4}rest of a zip".utf8), mentioning: ["not a Whittle QGraph file"])
    }

    /// Older versions (3: chains only) and a newer version are refused with one line each;
    /// versions 4 (no expected outputs in the validation set) and 5 (no reconstruction task) are still read.
    func testOtherVersionsAreRejected() throws {
        var bytes = QGraphFile.encode(sample())
        XCTAssertEqual(bytes[4], 6)
        bytes[4] = 3
        assertRejected(bytes, mentioning: ["version 3", "reads version 6", "re-create it"])
        bytes[4] = 7
        assertRejected(bytes, mentioning: ["version 7", "reads version 6", "newer whittle"])
        // Without a validation set, versions 4 to 6 write the same payload.
        var withoutValidation = sample()
        withoutValidation.validation = nil
        for version: UInt8 in [4, 5] {
            bytes = QGraphFile.encode(withoutValidation)
            bytes[4] = version
            XCTAssertEqual(try QGraphFile.decode(bytes, name: "v\(version).q"), withoutValidation)
        }
    }

    /// An autoencoder's reconstruction task round-trips, with and without normal classes, and
    /// needs an output of the input's size.
    func testReconstructionTaskRoundTrips() throws {
        var b = QGraphBuilder(inputShape: TensorShape(vector: 8), inputQuant: QuantParams(scale: 0.1, zeroPoint: 3), inputDescription: "t")
        let y = try b.fullyConnected(b.input, name: "fc", weights: (0..<64).map { Int8($0 % 7 - 3) }, weightScales: [Double](repeating: 0.01, count: 8),
                                     bias: [Int32](repeating: 5, count: 8), outputCount: 8, output: QuantParams(scale: 0.05, zeroPoint: -2), activation: .none)
        for classes in [[0, 3], nil] as [[Int32]?] {
            let validation = ValidationSet(count: 2, inputs: (0..<16).map { Int8($0) }, labels: [0, 4],
                                           reconstruction: ReconstructionTask(normalClasses: classes))
            let autoencoder = try b.finish(output: y, validation: validation)
            XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(autoencoder), name: "ae.q"), autoencoder)
        }
        var classifier = sample()
        classifier.validation!.reconstruction = ReconstructionTask(normalClasses: nil)
        assertRejected(QGraphFile.encode(classifier), mentioning: ["reconstruction", "784 inputs", "10 outputs"])
    }

    /// Expected outputs of another engine round-trip, and must be one output per input.
    func testExpectedOutputsRoundTrip() throws {
        var graph = sample()
        let inputSize = graph.inputTensor.byteCount, outputSize = graph.outputTensor.byteCount
        graph.validation = ValidationSet(count: 2, inputs: (0..<(2 * inputSize)).map { Int8(truncatingIfNeeded: $0) },
                                         expectedOutputs: (0..<(2 * outputSize)).map { Int8(truncatingIfNeeded: 3 * $0) })
        XCTAssertEqual(try QGraphFile.decode(QGraphFile.encode(graph), name: "expected.q"), graph)
        graph.validation!.expectedOutputs!.removeLast()
        assertRejected(QGraphFile.encode(graph), mentioning: ["expected output bytes"])
    }

    /// A well-formed file with a graph that breaks a rule is rejected by the verifier.
    func testRawInputTableHasOneEntryPerByte() {
        var graph = sample()
        graph.rawInputTable = [Int8](repeating: 0, count: 255)
        assertRejected(QGraphFile.encode(graph), mentioning: ["breaks rule input-output", "raw input table has 255 entries"])
    }

    func testVerifierRunsOnRead() {
        var graph = sample()
        graph.tensors[1].shape.height = 3
        assertRejected(QGraphFile.encode(graph), mentioning: ["'conv1'", "output-shape"])
    }
}
