import XCTest
import WhittleIR

/// Asserts that decoding `bytes` as `model.q` fails with one line naming the file and holding `words`.
func assertRejected(_ bytes: [UInt8], mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try QGraphFile.decode(bytes, name: "model.q"), file: file, line: line) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.hasPrefix("model.q: "), message, file: file, line: line)
        XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
        for word in words { XCTAssertTrue(message.contains(word), message, file: file, line: line) }
    }
}

extension QGraphBuilder {
    /// A builder for tests about memory rather than values: an input of `shape`, any quantization.
    init(memoryTestInput shape: TensorShape) {
        self.init(inputShape: shape, inputQuant: QuantParams(scale: 0.02, zeroPoint: 0), inputDescription: "memory test")
    }

    /// The graph, its output the sum of `a` and `b` (a node named "sum").
    mutating func finish(summing a: TensorRef, _ b: TensorRef) throws -> QGraph {
        let sum = try add(a, b, name: "sum", output: QuantParams(scale: 0.1, zeroPoint: 0))
        return try finish(output: sum)
    }

    /// A 1×1 conv to `outputs` channels with all weights 1: a node of a chosen size, for tests
    /// about memory rather than values.
    mutating func pointwise(_ x: TensorRef, to outputs: Int, name: String) throws -> TensorRef {
        let inputs = shape(of: x).channels
        return try conv2d(x, name: name, weights: [Int8](repeating: 1, count: outputs * inputs),
                          weightScales: [Double](repeating: 0.01, count: outputs), bias: [Int32](repeating: 0, count: outputs),
                          outputChannels: outputs, window: Window2D(kernel: 1), output: QuantParams(scale: 0.05, zeroPoint: 0),
                          activation: .none)
    }
}
