/// An operator's builtin options as the table of its kind, with the kind's number in the
/// schema's `BuiltinOptions` union (fields by their index in `schema.fbs`, as `TFLiteReader`
/// reads them back).
enum TFLiteOptionsWriter {
    /// `BuiltinOptions` union members.
    enum UnionType: UInt8 {
        case conv2D = 1, depthwiseConv2D = 2, pool2D = 5, fullyConnected = 8, softmax = 9, add = 11, reshape = 17, pad = 22, reducer = 27
    }

    /// The options table and its union type; nil for `.none` (no options).
    static func table(_ options: TFLiteOptions, _ b: inout FlatBufferBuilder) -> (type: UInt8, table: FlatBufferBuilder.Offset)? {
        let type: UnionType
        /// Starts a conv's or pool's table with the fields all three have first: padding, stride w, stride h.
        func startWindowed(_ padding: TFLitePadding, strideH: Int, strideW: Int) {
            b.startTable()
            b.add(1, Int32(strideW), default: 0)
            b.add(2, Int32(strideH), default: 0)
            b.add(0, padding.rawValue, default: 0)
        }
        switch options {
        case .none:
            return nil
        case .conv(let padding, let strideH, let strideW, let dilationH, let dilationW, let activation):
            type = .conv2D
            startWindowed(padding, strideH: strideH, strideW: strideW)
            b.add(4, Int32(dilationW), default: 1)
            b.add(5, Int32(dilationH), default: 1)
            b.add(3, activation.rawValue, default: 0)
        case .depthwiseConv(let padding, let strideH, let strideW, let multiplier, let dilationH, let dilationW, let activation):
            type = .depthwiseConv2D
            startWindowed(padding, strideH: strideH, strideW: strideW)
            b.add(3, Int32(multiplier), default: 0)
            b.add(5, Int32(dilationW), default: 1)
            b.add(6, Int32(dilationH), default: 1)
            b.add(4, activation.rawValue, default: 0)
        case .pool(let padding, let strideH, let strideW, let filterH, let filterW, let activation):
            type = .pool2D
            startWindowed(padding, strideH: strideH, strideW: strideW)
            b.add(3, Int32(filterW), default: 0)
            b.add(4, Int32(filterH), default: 0)
            b.add(5, activation.rawValue, default: 0)
        case .fullyConnected(let activation, let keepDims):
            type = .fullyConnected
            b.startTable()
            b.add(0, activation.rawValue, default: 0)
            b.add(2, keepDims, default: false)
        case .add(let activation):
            type = .add
            b.startTable()
            b.add(0, activation.rawValue, default: 0)
        case .softmax(let beta):
            type = .softmax
            b.startTable()
            b.add(0, beta, default: 0)
        case .reducer(let keepDims):
            type = .reducer
            b.startTable()
            b.add(0, keepDims, default: false)
        case .reshape(let newShape):
            type = .reshape
            let shape = b.vector(newShape.map { Int32(truncatingIfNeeded: $0) })
            b.startTable()
            b.add(0, shape)
        case .pad:
            type = .pad
            b.startTable()
        }
        return (type.rawValue, b.endTable())
    }
}
