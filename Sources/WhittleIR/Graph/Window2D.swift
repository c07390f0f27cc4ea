/// The sliding window of a conv or pool: kernel size, stride and padding. All geometry derived
/// from it (output size, the interior where no tap falls outside the input) is computed here
/// once, for the interpreter, the verifier and the code generator alike.
public struct Window2D: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    public var padBottom: Int
    public var padRight: Int

    public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.padBottom = padBottom
        self.padRight = padRight
    }

    /// A square window with the same stride and padding on every side (PyTorch's convention).
    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
                  padTop: padding, padLeft: padding, padBottom: padding, padRight: padding)
    }

    /// Output height and width for an input of `height × width`; nil if the window does not fit.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        let paddedHeight = height + padTop + padBottom
        let paddedWidth = width + padLeft + padRight
        guard strideHeight > 0, strideWidth > 0, paddedHeight >= kernelHeight, paddedWidth >= kernelWidth else {
            return nil
        }
        return ((paddedHeight - kernelHeight) / strideHeight + 1, (paddedWidth - kernelWidth) / strideWidth + 1)
    }

    /// Output rows whose every tap row lies inside an input of `inputHeight` rows.
    public func interiorRows(inputHeight: Int, outputHeight: Int) -> Range<Int> {
        Self.interior(input: inputHeight, output: outputHeight, kernel: kernelHeight, stride: strideHeight, padBefore: padTop)
    }

    /// Output columns whose every tap column lies inside an input of `inputWidth` columns.
    public func interiorColumns(inputWidth: Int, outputWidth: Int) -> Range<Int> {
        Self.interior(input: inputWidth, output: outputWidth, kernel: kernelWidth, stride: strideWidth, padBefore: padLeft)
    }

    /// Output positions `o` with `0 ≤ o·stride − padBefore` and `o·stride − padBefore + kernel ≤ input`.
    private static func interior(input: Int, output: Int, kernel: Int, stride: Int, padBefore: Int) -> Range<Int> {
        let first = (padBefore + stride - 1) / stride
        let lastStart = input + padBefore - kernel
        guard lastStart >= 0 else { return 0..<0 }
        let end = min(output, lastStart / stride + 1)
        return first < end ? first..<end : 0..<0
    }
}
