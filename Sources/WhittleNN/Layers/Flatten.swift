import WhittleTensor

/// [N, C, H, W] → [N, C·H·W], in PyTorch's (row-major) order.
public final class Flatten: LayerBase, Layer {
    private var inputShape: [Int] = []
    public var kind: String { "flatten" }

    public func outputShape(for input: [Int]) throws -> [Int] { [input.reduce(1, *)] }

    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        inputShape = x.shape
        return x.reshaped([x.shape[0], x.count / max(x.shape[0], 1)])
    }

    public func backward(_ gradOutput: Tensor) -> Tensor { gradOutput.reshaped(inputShape) }
}
