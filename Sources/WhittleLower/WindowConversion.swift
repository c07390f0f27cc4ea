import WhittleIR
import WhittleNN
import WhittleTensor

extension Window2D {
    /// A float layer's window for the IR: kernel and stride per axis, padding per side.
    init(kernel: (h: Int, w: Int), stride: (h: Int, w: Int), padding: Padding2D) {
        self.init(kernelHeight: kernel.h, kernelWidth: kernel.w, strideHeight: stride.h, strideWidth: stride.w,
                  padTop: padding.top, padLeft: padding.left, padBottom: padding.bottom, padRight: padding.right)
    }

    /// A pooling layer's window (a global average pool's is its input's H×W).
    init(_ pool: PoolWindow) { self.init(kernel: pool.kernel, stride: pool.stride, padding: pool.padding) }
}
