import WhittleSupport

/// `max_pool` and `average_pool`: one window and clamp, the output in the input's quantization.
struct PoolOperation: QOperation {
    let pool: Pool2D
    let average: Bool

    var kindName: String { average ? "average_pool" : "max_pool" }
    var tag: UInt8 { average ? 4 : 3 }

    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        try GraphVerifier.verifyWindow(pool.window, input: input, output: output, node.location)
        guard output.shape.channels == input.shape.channels else {
            throw node.fail(.outputShape, "output has \(output.shape.channels) channels, input \(input.shape.channels)")
        }
        try GraphVerifier.verifyClamp(pool.clamp, node.location)
        try GraphVerifier.verifySameQuantization(input, output, node.location)
    }

    /// The interpreter visits every tap of a window, in the padding too.
    func work(_ node: NodeContext) -> Int? {
        checkedProduct(node.output.shape.elementCount, pool.window.kernelHeight, pool.window.kernelWidth)
    }

    var textDetails: String { " \(QGraphText.window(pool.window)), \(QGraphText.clamp(pool.clamp))" }

    func encodeFields(into w: inout BinaryWriter) {
        QGraphCoding.encode(pool.window, into: &w)
        QGraphCoding.encode(pool.clamp, into: &w)
    }

    static func decode(average: Bool) -> (inout BinaryReader, String) throws -> QOp {
        { r, what in
            let pool = Pool2D(window: try QGraphCoding.decodeWindow(&r, what), clamp: try QGraphCoding.decodeClamp(&r, what))
            return average ? .averagePool(pool) : .maxPool(pool)
        }
    }
}

/// `reshape`: the input's bytes under the output's shape (no copy, one quantization).
struct ReshapeOperation: QOperation {
    var kindName: String { "reshape" }
    var tag: UInt8 { 5 }

    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        guard input.shape.elementCount == output.shape.elementCount else {
            throw node.fail(.elementCount, "\(input.shape) has \(input.shape.elementCount) elements, \(output.shape) has \(output.shape.elementCount)")
        }
        try GraphVerifier.verifySameQuantization(input, output, node.location)
    }

    func work(_ node: NodeContext) -> Int? { 0 }
    var textDetails: String { "" }
    func encodeFields(into w: inout BinaryWriter) {}
}
