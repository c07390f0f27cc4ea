import WhittleIR

extension Window2D {
    /// The TFLite padding whose window over an `inHeight × inWidth` input is exactly this one
    /// (`Window2D(tflite:…)`), VALID before SAME; nil when neither is.
    ///
    /// PyTorch's symmetric padding is often SAME: kernel 3, stride 1, padding 1; kernel 3,
    /// stride 2, padding 1 on an odd input (7 → 4, one pixel each side). On an even input (8 → 4)
    /// SAME pads 0 before and 1 after, so that window is neither.
    func exactTFLitePadding(inHeight: Int, inWidth: Int) -> TFLitePadding? {
        [TFLitePadding.valid, .same].first { tfliteWindow($0, inHeight: inHeight, inWidth: inWidth) == self }
    }

    /// A TFLite padding whose window computes what this one computes: the same output size and
    /// the same padding before (top, left). The padding after then only decides how many outputs
    /// there are, and out-of-input taps are skipped either way. Exact ones first.
    func equivalentTFLitePadding(inHeight: Int, inWidth: Int) -> TFLitePadding? {
        if let exact = exactTFLitePadding(inHeight: inHeight, inWidth: inWidth) { return exact }
        let size = outputSize(height: inHeight, width: inWidth)
        return [TFLitePadding.valid, .same].first { padding in
            let w = tfliteWindow(padding, inHeight: inHeight, inWidth: inWidth)
            return w.padTop == padTop && w.padLeft == padLeft
                && w.outputSize(height: inHeight, width: inWidth).map { [$0.height, $0.width] } == size.map { [$0.height, $0.width] }
        }
    }

    private func tfliteWindow(_ padding: TFLitePadding, inHeight: Int, inWidth: Int) -> Window2D {
        Window2D(tflite: padding, kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                 inHeight: inHeight, inWidth: inWidth)
    }
}
