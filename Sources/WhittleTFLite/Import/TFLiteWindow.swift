import WhittleIR

extension Window2D {
    /// The window of a TFLite conv or pool over an `inHeight × inWidth` input, with TFLite's
    /// padding (`ComputePaddingHeightWidth`, dilation 1): VALID pads nothing; SAME makes the
    /// output `ceil(in / stride)` and pads `max(0, (out − 1)·stride + kernel − in)` in total, the
    /// smaller half before (top, left) and the rest after, so odd totals pad more at the bottom
    /// and right.
    public init(tflite padding: TFLitePadding, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
         inHeight: Int, inWidth: Int) {
        func pads(_ input: Int, _ kernel: Int, _ stride: Int) -> (before: Int, after: Int) {
            guard padding == .same else { return (0, 0) }
            let output = (input + stride - 1) / stride
            let total = max(0, (output - 1) * stride + kernel - input)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = pads(inHeight, kernelHeight, strideHeight)
        let (left, right) = pads(inWidth, kernelWidth, strideWidth)
        self.init(kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                  padTop: top, padLeft: left, padBottom: bottom, padRight: right)
    }
}
