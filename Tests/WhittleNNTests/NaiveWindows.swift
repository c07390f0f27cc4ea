import WhittleNN
import WhittleTensor

/// Direct definitions of convolution and pooling over NCHW, loop by loop, for the tests to
/// compare the layers against. Padding taps are 0 for conv and skipped for pools.
enum NaiveWindows {
    /// The input tap (row, column) of output (oy, ox) and kernel offset (ky, kx), or nil in the padding.
    static func tap(_ oy: Int, _ ox: Int, _ ky: Int, _ kx: Int, stride: (h: Int, w: Int), padding: Padding2D,
                    height: Int, width: Int) -> (Int, Int)? {
        let y = oy * stride.h - padding.top + ky, x = ox * stride.w - padding.left + kx
        return y >= 0 && y < height && x >= 0 && x < width ? (y, x) : nil
    }

    static func outputSize(_ n: Int, kernel: Int, stride: Int, before: Int, after: Int) -> Int {
        (n + before + after - kernel) / stride + 1
    }

    static func conv(_ x: Tensor, _ c: Conv2d) -> Tensor {
        let (n, inC, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = outputSize(h, kernel: c.kernel.h, stride: c.stride.h, before: c.padding.top, after: c.padding.bottom)
        let ow = outputSize(w, kernel: c.kernel.w, stride: c.stride.w, before: c.padding.left, after: c.padding.right)
        let perGroupIn = inC / c.groups, perGroupOut = c.outChannels / c.groups
        var y = Tensor(shape: [n, c.outChannels, oh, ow])
        for i in 0..<n { for o in 0..<c.outChannels { for oy in 0..<oh { for ox in 0..<ow {
            var s = c.bias?.value.storage[o] ?? 0
            for ci in 0..<perGroupIn { for ky in 0..<c.kernel.h { for kx in 0..<c.kernel.w {
                guard let (iy, ix) = tap(oy, ox, ky, kx, stride: c.stride, padding: c.padding, height: h, width: w) else { continue }
                let channel = o / perGroupOut * perGroupIn + ci
                s += x.storage[((i * inC + channel) * h + iy) * w + ix]
                    * c.weight.value.storage[((o * perGroupIn + ci) * c.kernel.h + ky) * c.kernel.w + kx]
            }}}
            y.storage[((i * c.outChannels + o) * oh + oy) * ow + ox] = s
        }}}}
        return y
    }

    /// The input, weight and bias gradients of `conv` at x for output gradient dy, summed tap by tap.
    static func convGradients(_ x: Tensor, _ c: Conv2d, _ dy: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let (n, inC, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (dy.shape[2], dy.shape[3])
        let perGroupIn = inC / c.groups, perGroupOut = c.outChannels / c.groups
        var dx = Tensor(shape: x.shape), dW = Tensor(shape: c.weight.value.shape), dB = Tensor(shape: [c.outChannels])
        for i in 0..<n { for o in 0..<c.outChannels { for oy in 0..<oh { for ox in 0..<ow {
            let g = dy.storage[((i * c.outChannels + o) * oh + oy) * ow + ox]
            dB.storage[o] += g
            for ci in 0..<perGroupIn { for ky in 0..<c.kernel.h { for kx in 0..<c.kernel.w {
                guard let (iy, ix) = tap(oy, ox, ky, kx, stride: c.stride, padding: c.padding, height: h, width: w) else { continue }
                let xi = ((i * inC + o / perGroupOut * perGroupIn + ci) * h + iy) * w + ix
                let wi = ((o * perGroupIn + ci) * c.kernel.h + ky) * c.kernel.w + kx
                dW.storage[wi] += g * x.storage[xi]
                dx.storage[xi] += g * c.weight.value.storage[wi]
            }}}
        }}}}
        return (dx, dW, dB)
    }

    /// Max (`average` false) or in-bounds mean of each window.
    static func pool(_ x: Tensor, _ p: PoolWindow, average: Bool) -> Tensor {
        let (n, ch, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = outputSize(h, kernel: p.kernel.h, stride: p.stride.h, before: p.padding.top, after: p.padding.bottom)
        let ow = outputSize(w, kernel: p.kernel.w, stride: p.stride.w, before: p.padding.left, after: p.padding.right)
        var y = Tensor(shape: [n, ch, oh, ow])
        for plane in 0..<(n * ch) { for oy in 0..<oh { for ox in 0..<ow {
            var taps: [Float] = []
            for ky in 0..<p.kernel.h { for kx in 0..<p.kernel.w {
                if let (iy, ix) = tap(oy, ox, ky, kx, stride: p.stride, padding: p.padding, height: h, width: w) {
                    taps.append(x.storage[(plane * h + iy) * w + ix])
                }
            }}
            y.storage[(plane * oh + oy) * ow + ox] = average ? taps.reduce(0, +) / Float(taps.count) : taps.max()!
        }}}
        return y
    }
}
