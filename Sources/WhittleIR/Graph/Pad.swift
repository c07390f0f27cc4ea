import WhittleSupport

/// Constant padding of the height, width and channels, the new values at the zero point (the
/// quantized real 0), as TFLite's int8 `PAD` fills them (its pad value is the output zero
/// point); input and output share one quantization, so the values inside are copied unchanged.
public struct Pad: Hashable, Sendable {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int
    /// Channels added before and after each pixel's own.
    public var channelsBefore: Int
    public var channelsAfter: Int

    public init(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0, channelsBefore: Int = 0, channelsAfter: Int = 0) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
        self.channelsBefore = channelsBefore
        self.channelsAfter = channelsAfter
    }

    /// The six amounts in the order they are stored and printed.
    var amounts: [Int] { [top, bottom, left, right, channelsBefore, channelsAfter] }

    /// The padded shape; nil if an amount is negative or a dimension overflows.
    public func outputShape(input: TensorShape) -> TensorShape? {
        guard amounts.allSatisfy({ $0 >= 0 }) else { return nil }
        let (h, hOverflow) = input.height.addingReportingOverflow(top + bottom)
        let (w, wOverflow) = input.width.addingReportingOverflow(left + right)
        let (c, cOverflow) = input.channels.addingReportingOverflow(channelsBefore + channelsAfter)
        return hOverflow || wOverflow || cOverflow ? nil : TensorShape(height: h, width: w, channels: c)
    }

    /// `x` (of `shape`) inside the padded tensor, everything else `zeroPoint`.
    public func apply(_ x: [Int8], shape: TensorShape, zeroPoint: Int8) -> [Int8] {
        let out = outputShape(input: shape)!
        var y = [Int8](repeating: zeroPoint, count: out.elementCount)
        for iy in 0..<shape.height {
            for ix in 0..<shape.width {
                let from = (iy * shape.width + ix) * shape.channels
                let to = ((iy + top) * out.width + ix + left) * out.channels + channelsBefore
                y.replaceSubrange(to..<(to + shape.channels), with: x[from..<(from + shape.channels)])
            }
        }
        return y
    }
}

extension Pad: QOperation {
    var kindName: String { "pad" }
    var tag: UInt8 { 9 }

    /// Amounts ≥ 0 and under the size limit, the output the padded input, one quantization.
    func verify(_ node: NodeContext) throws {
        let (input, output) = (node.input, node.output)
        if let big = amounts.first(where: { $0 > QGraphLimits.maxDimension }) {
            throw node.fail(.sizeLimit, "a padding of \(big) is over the limit of \(QGraphLimits.maxDimension)")
        }
        guard let expected = outputShape(input: input.shape) else {
            throw node.fail(.padding, "paddings \(amounts) (top, bottom, left, right, channels before, after) must be ≥ 0")
        }
        guard output.shape == expected else {
            throw node.fail(.outputShape, "output is \(output.shape), \(input.shape) padded by \(amounts) is \(expected)")
        }
        try GraphVerifier.verifySameQuantization(input, output, node.location)
    }

    /// One step per output value.
    func work(_ node: NodeContext) -> Int? { node.output.shape.elementCount }

    var textDetails: String {
        " top \(top) bottom \(bottom) left \(left) right \(right), channels \(channelsBefore) before \(channelsAfter) after, with the zero point"
    }

    /// The six amounts: top, bottom, left, right, channels before, channels after.
    func encodeFields(into w: inout BinaryWriter) {
        for amount in amounts { w.write(Int32(amount)) }
    }

    static func decode(_ r: inout BinaryReader, _ what: String) throws -> QOp {
        let v = try ["top", "bottom", "left", "right", "channels before", "channels after"].map {
            try r.readInt("\(what) pad \($0)", in: 0...QGraphCoding.sizeLimit)
        }
        return .pad(Pad(top: v[0], bottom: v[1], left: v[2], right: v[3], channelsBefore: v[4], channelsAfter: v[5]))
    }
}
