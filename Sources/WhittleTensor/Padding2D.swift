/// Rows and columns added around an image before a convolution or pooling window slides over
/// it. Four sides, because TensorFlow's "same" padding puts the odd one at the bottom and right.
public struct Padding2D: Hashable, Sendable, CustomStringConvertible {
    public var top, left, bottom, right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top; self.left = left; self.bottom = bottom; self.right = right
    }

    /// PyTorch's `padding=(h, w)`: h rows above and below, w columns left and right.
    public init(_ h: Int, _ w: Int) { self.init(top: h, left: w, bottom: h, right: w) }

    public static let zero = Padding2D(0, 0)

    /// TensorFlow's "SAME" for an input of height × width: ceil(in / stride) outputs per axis,
    /// total padding max((ceil(in / stride) − 1) · stride + kernel − in, 0), the smaller half
    /// before (top, left) and the rest after (bottom, right).
    /// Example: in 5, kernel 2, stride 1 → total 1: top 0, bottom 1.
    /// Example: in 6, kernel 3, stride 2 → total 1: top 0, bottom 1; in 7 → total 2: 1 and 1.
    public static func same(height: Int, width: Int, kernel: (h: Int, w: Int), stride: (h: Int, w: Int)) -> Padding2D {
        func split(_ input: Int, _ k: Int, _ s: Int) -> (before: Int, after: Int) {
            let out = (input + s - 1) / s
            let total = max((out - 1) * s + k - input, 0)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = split(height, kernel.h, stride.h), (left, right) = split(width, kernel.w, stride.w)
        return Padding2D(top: top, left: left, bottom: bottom, right: right)
    }

    /// Same rows above as below and columns left as right (expressible as PyTorch's `padding=(h, w)`).
    public var isSymmetric: Bool { top == bottom && left == right }

    public var description: String {
        isSymmetric ? "\(top)×\(left)" : "top \(top), left \(left), bottom \(bottom), right \(right)"
    }
}
