import WhittleIR

/// The operators `whittle export` adds around a node, which the whittle metadata marks (no node
/// name) and the import absorbs, so the graph comes back as it was: a RESHAPE between `[1, n]` and
/// `[1, 1, 1, n]` (one QGraph shape) is no node, its output is its input; a PAD of height and width
/// with the zero point before a convolution is that convolution's padding (a skipped tap is a tap
/// of the zero point, so both compute the same).
extension GraphAssembly {
    mutating func absorb(_ op: OperatorContext) throws {
        guard op.op.inputs.count == 2, op.op.outputs.count == 1 else {
            throw op.fail("is marked in the whittle metadata as added by the exporter, but has \(op.op.inputs.count) inputs and \(op.op.outputs.count) outputs")
        }
        let x = try input(op.op.inputs[0], op)
        let output = try activation(op.op.outputs[0], "output of \(op.label)")
        let input = tensor(x)
        guard output.quant == input.quant else {
            throw op.fail("is marked in the whittle metadata as added by the exporter, but changes the quantization")
        }
        switch op.op.kind {
        case .reshape where output.shape == input.shape:
            ids[op.op.outputs[0]] = x
        case .pad:
            let amounts = try int32Constant(op.op.inputs[1], "paddings", op).map(Int.init)
            guard amounts.count == 8, amounts.allSatisfy({ (0...QGraphLimits.maxDimension).contains($0) }),
                  amounts[0] == 0, amounts[1] == 0, amounts[6] == 0, amounts[7] == 0 else {
                throw op.fail("is marked in the whittle metadata as a convolution's padding, but pads \(amounts), not only height and width")
            }
            pendingPads[op.op.outputs[0]] = (x, Pad(top: amounts[2], bottom: amounts[3], left: amounts[4], right: amounts[5]))
        default:
            throw op.fail("is marked in the whittle metadata as added by the exporter; only a RESHAPE that keeps the shape and a PAD are")
        }
    }

    /// A convolution's input and the padding of an absorbed PAD before it (nil without one).
    func convolutionInput(_ index: Int, _ op: OperatorContext) throws -> (input: TensorID, pad: Pad?) {
        if let pending = pendingPads[index] { return (pending.input, pending.pad) }
        return (try input(index, op), nil)
    }
}
