import WhittleTensor

/// A trainable tensor and its gradient. Layers own their parameters; optimizers update them
/// in place, so a parameter is a reference.
public final class Parameter {
    public var value: Tensor
    public var grad: Tensor

    public init(_ value: Tensor) {
        self.value = value
        self.grad = Tensor(shape: value.shape)
    }

    public func zeroGrad() { grad.fill(0) }
}

/// Whether a forward pass is for training (batch statistics, dropout) or evaluation.
public enum Mode: Sendable { case train, eval }

/// One node's computation: a function of a single batched tensor (batch first).
///
/// `forward` caches what `backward` needs; `backward` receives dL/d(output), accumulates
/// dL/d(parameters) into each `Parameter.grad`, and returns dL/d(input) (or an empty tensor
/// when `needsInputGradient` is false, which the graph sets for layers fed by the model input).
public protocol Layer: AnyObject {
    /// Spec name of the layer type ("conv2d", "relu", …).
    var kind: String { get }
    /// Parameters by their PyTorch-style local names ("weight", "bias"), in state_dict order.
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// Non-trainable state saved with checkpoints ("running_mean", …), in state_dict order.
    var buffers: [(name: String, tensor: Tensor)] { get }
    /// Replaces a buffer (used when loading checkpoints).
    func setBuffer(_ name: String, _ tensor: Tensor)
    var needsInputGradient: Bool { get set }

    /// The per-sample output shape for a per-sample input shape, or an error naming the problem.
    func outputShape(for input: [Int]) throws -> [Int]
    /// Multiply-accumulates per sample for a per-sample input shape (0 for cheap elementwise ops).
    func macs(for input: [Int]) -> Int

    func forward(_ x: Tensor, mode: Mode) -> Tensor
    func backward(_ gradOutput: Tensor) -> Tensor
}

extension Layer {
    public var parameters: [(name: String, parameter: Parameter)] { [] }
    public var buffers: [(name: String, tensor: Tensor)] { [] }
    public func setBuffer(_ name: String, _ tensor: Tensor) {}
    public func macs(for input: [Int]) -> Int { 0 }
}

/// A layer cannot accept the shape it is given; the graph builder adds the layer name.
public struct ShapeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Base for layers that carry the input-gradient switch; saves repeating the stored property.
open class LayerBase {
    public var needsInputGradient = true
    public init() {}
}
