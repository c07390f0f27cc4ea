import WhittleIR

extension TFLiteActivation {
    /// The fused activation from which TFLite computes exactly `clamp` for an output quantized
    /// with `quant` (`ClampRange(tflite:scale:zeroPoint:)`, the scale as the file's float32):
    /// NONE, RELU, RELU6 or RELU_N1_TO_1, in that order (a ReLU whose zero point is −128 clamps
    /// nothing, and is NONE). nil when none of them gives that clamp.
    init?(exactly clamp: ClampRange, output quant: QuantParams) {
        guard let found = [TFLiteActivation.none, .relu, .relu6, .reluN1To1].first(where: {
            ClampRange(tflite: $0, scale: Float(quant.scale), zeroPoint: quant.zeroPoint) == clamp
        }) else { return nil }
        self = found
    }
}
