/// The reference formula of each op, kept apart from the interpreter's bookkeeping.
enum ReferenceKernels {
    /// `y = clamp(zy + MultiplyByQuantizedMultiplier(acc, m))`, rounded as the op rounds.
    static func requantize(_ acc: Int32, _ m: QuantizedMultiplier, outputZero: Int32, _ clamp: ClampRange,
                           rounding: RequantizationRounding) -> Int8 {
        Int8(clamp.clamp(outputZero + FixedPoint.multiplyByQuantizedMultiplier(acc, m, rounding: rounding)))
    }

    /// `weights`: `conv.weights` decoded to logical order.
    /// A folded max pool runs after the conv, on its requantized output.
    static func conv2d(_ conv: Conv2D, _ weights: [Int8], _ x: [Int8], _ inTensor: QTensor, _ outTensor: QTensor) -> [Int8] {
        guard let pool = conv.pool, let convolved = conv.convolvedShape(input: inTensor.shape) else {
            return convolve(conv, weights, x, inTensor, outTensor)
        }
        var full = outTensor
        full.shape = convolved
        return self.pool(Pool2D(window: pool.window), convolve(conv, weights, x, inTensor, full), convolved, outTensor.shape, average: false)
    }

    private static func convolve(_ conv: Conv2D, _ weights: [Int8], _ x: [Int8], _ inTensor: QTensor, _ outTensor: QTensor) -> [Int8] {
        let inS = inTensor.shape, outS = outTensor.shape, w = conv.window
        let inZero = inTensor.quant.zeroPoint, outZero = outTensor.quant.zeroPoint
        let inPerGroup = inS.channels / conv.groups, outPerGroup = outS.channels / conv.groups
        var y = [Int8](repeating: 0, count: outS.elementCount)
        for oy in 0..<outS.height {
            for ox in 0..<outS.width {
                for oc in 0..<outS.channels {
                    let group = oc / outPerGroup
                    var acc = conv.bias[oc]
                    forEachInBoundsTap(w, oy, ox, inS) { iy, ix, ky, kx in
                        for i in 0..<inPerGroup {
                            let xv = Int32(x[(iy * inS.width + ix) * inS.channels + group * inPerGroup + i])
                            let wv = Int32(weights[((oc * w.kernelHeight + ky) * w.kernelWidth + kx) * inPerGroup + i])
                            acc += (xv - inZero) * wv
                        }
                    }
                    y[(oy * outS.width + ox) * outS.channels + oc] =
                        requantize(acc, conv.requantization[oc], outputZero: outZero, conv.clamp, rounding: conv.requantizationRounding)
                }
            }
        }
        return y
    }

    /// `weights`: `fc.weights` decoded to logical order.
    static func fullyConnected(_ fc: FullyConnected, _ weights: [Int8], _ x: [Int8], _ inTensor: QTensor, _ outTensor: QTensor) -> [Int8] {
        let n = inTensor.shape.elementCount
        let inZero = inTensor.quant.zeroPoint
        return (0..<outTensor.shape.elementCount).map { o in
            var acc = fc.bias[o]
            for i in 0..<n {
                acc += (Int32(x[i]) - inZero) * Int32(weights[o * n + i])
            }
            return requantize(acc, fc.requantization[o], outputZero: outTensor.quant.zeroPoint, fc.clamp,
                              rounding: fc.requantizationRounding)
        }
    }

    /// Max or average over the in-bounds taps of each window; the average divides the tap sum by
    /// the tap count rounding `.toNearestOrAway`.
    static func pool(_ pool: Pool2D, _ x: [Int8], _ inS: TensorShape, _ outS: TensorShape, average: Bool) -> [Int8] {
        let w = pool.window
        var y = [Int8](repeating: 0, count: outS.elementCount)
        for oy in 0..<outS.height {
            for ox in 0..<outS.width {
                for c in 0..<outS.channels {
                    var maximum: Int32 = -128, sum: Int32 = 0, count: Int32 = 0
                    forEachInBoundsTap(w, oy, ox, inS) { iy, ix, _, _ in
                        let v = Int32(x[(iy * inS.width + ix) * inS.channels + c])
                        maximum = max(maximum, v)
                        sum += v
                        count += 1
                    }
                    let value = average ? divideRoundingToNearestOrAway(sum, count) : maximum
                    y[(oy * outS.width + ox) * outS.channels + c] = Int8(pool.clamp.clamp(value))
                }
            }
        }
        return y
    }

    /// Calls `body(iy, ix, ky, kx)` for each tap of the window at output `(oy, ox)` that lies
    /// inside the input; taps in the padding are skipped.
    @inline(__always)
    static func forEachInBoundsTap(_ w: Window2D, _ oy: Int, _ ox: Int, _ input: TensorShape,
                                   _ body: (_ iy: Int, _ ix: Int, _ ky: Int, _ kx: Int) -> Void) {
        for ky in 0..<w.kernelHeight {
            let iy = oy * w.strideHeight - w.padTop + ky
            guard iy >= 0 && iy < input.height else { continue }
            for kx in 0..<w.kernelWidth {
                let ix = ox * w.strideWidth - w.padLeft + kx
                guard ix >= 0 && ix < input.width else { continue }
                body(iy, ix, ky, kx)
            }
        }
    }

    /// `numerator / denominator` (denominator > 0), a tie rounded away from zero.
    static func divideRoundingToNearestOrAway(_ numerator: Int32, _ denominator: Int32) -> Int32 {
        let half = denominator / 2
        return numerator >= 0 ? (numerator + half) / denominator : (numerator - half) / denominator
    }
}

// Each op's reference formula (`QOperation.reference`), one extension per op.

extension Conv2D {
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        ReferenceKernels.conv2d(self, weights, inputs[0], node.inputs[0], node.output)
    }
}

extension FullyConnected {
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        ReferenceKernels.fullyConnected(self, weights, inputs[0], node.inputs[0], node.output)
    }
}

extension PoolOperation {
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        ReferenceKernels.pool(pool, inputs[0], node.inputs[0].shape, node.output.shape, average: average)
    }
}

extension ReshapeOperation {
    /// The same bytes under another shape.
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] { inputs[0] }
}

extension Add {
    /// `apply` on each pair of elements.
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        let zeros = (node.inputs[0].quant.zeroPoint, node.inputs[1].quant.zeroPoint, node.output.quant.zeroPoint)
        return zip(inputs[0], inputs[1]).map { apply($0, $1, zeros: zeros) }
    }
}

extension Softmax {
    /// `apply` on each pixel's channels.
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        let row = node.inputs[0].shape.channels
        return stride(from: 0, to: inputs[0].count, by: row).flatMap { apply(Array(inputs[0][$0..<($0 + row)])) }
    }
}

extension Mean {
    /// `apply` on each channel's height × width values.
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        let channels = node.inputs[0].shape.channels
        return (0..<channels).map { c in
            apply(stride(from: c, to: inputs[0].count, by: channels).map { inputs[0][$0] },
                  inputZero: node.inputs[0].quant.zeroPoint, outputZero: node.output.quant.zeroPoint)
        }
    }
}

extension Pad {
    /// The input inside the padded tensor, the rest at the zero point.
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8] {
        apply(inputs[0], shape: node.inputs[0].shape, zeroPoint: Int8(node.output.quant.zeroPoint))
    }
}
