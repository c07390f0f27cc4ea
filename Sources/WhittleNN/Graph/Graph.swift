import WhittleTensor
import WhittleSupport

/// A model: named nodes run in topological order. Each node applies one `Layer` to one
/// producer, or adds several producers (`add`, for residual connections). The last node is the
/// output. Sequential models are the common case: each node reads the one before it.
public final class Graph {
    public enum Op {
        case layer(Layer)
        case add
    }

    public struct Node {
        public let name: String
        public let op: Op
        /// Producer node indices; `Graph.input` is the model input.
        public let inputs: [Int]
        /// Per-sample shapes (batch dimension omitted).
        public let inputShape: [Int]
        public let outputShape: [Int]

        public var layer: Layer? { if case .layer(let l) = op { return l } else { return nil } }
    }

    /// Producer index meaning "the model input".
    public static let input = -1

    public let inputShape: [Int]
    public private(set) var nodes: [Node] = []
    /// Every node's output from the most recent forward pass (for backward and feature taps).
    public private(set) var activations: [Tensor] = []
    /// Nodes whose outputs training must keep in `activations` even where it could fuse them
    /// away (feature-distillation hints read them).
    public var keptActivations: Set<Int> = []
    /// The fusion of the last training forward pass, which backward follows.
    private var trainingFusion: TrainingFusion?

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
    }

    public var outputShape: [Int] { nodes.last?.outputShape ?? inputShape }

    /// Appends a node after checking its producers and inferring its output shape.
    /// Errors name the node, e.g. "layer 'fc1' (linear): expects 256 input features, got 400".
    public func append(_ name: String, _ op: Op, inputs: [Int]? = nil) throws {
        let producers = inputs ?? [nodes.count - 1]
        guard !producers.isEmpty, producers.allSatisfy({ $0 >= Graph.input && $0 < nodes.count }) else {
            throw GraphError("layer '\(name)': inputs must name earlier layers")
        }
        let shapes = producers.map { $0 == Graph.input ? inputShape : nodes[$0].outputShape }
        let out: [Int]
        switch op {
        case .layer(let layer):
            guard shapes.count == 1 else { throw GraphError("layer '\(name)' (\(layer.kind)) takes one input, got \(shapes.count)") }
            do { out = try layer.outputShape(for: shapes[0]) } catch {
                throw GraphError("layer '\(name)' (\(layer.kind)): \(error)")
            }
            layer.needsInputGradient = producers[0] != Graph.input
        case .add:
            guard shapes.count >= 2, shapes.allSatisfy({ $0 == shapes[0] }) else {
                throw GraphError("layer '\(name)' (add): needs two or more inputs of one shape, got \(shapes)")
            }
            out = shapes[0]
        }
        do { _ = try Graph.activationLimit.product(out, of: "output \(out)") } catch {
            throw GraphError("layer '\(name)': \(error)")
        }
        nodes.append(Node(name: name, op: op, inputs: producers, inputShape: shapes[0], outputShape: out))
    }

    public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }

    /// Runs the graph on a batch [N, …inputShape] and returns the last node's output. Training
    /// runs some pairs of nodes as one (TrainingFusion).
    @discardableResult
    public func forward(_ x: Tensor, mode: Mode) -> Tensor {
        activations = []
        activations.reserveCapacity(nodes.count)
        let fusion = mode == .train ? TrainingFusion(self) : nil
        trainingFusion = fusion
        for (k, node) in nodes.enumerated() {
            if fusion?.fusedInto[k] != nil { activations.append(Tensor(shape: [0])); continue }
            if let p = fusion?.fusedProducer[k] {
                activations.append(forwardFused(p, into: k, inputs: nodes[p].inputs.map { $0 == Graph.input ? x : activations[$0] }))
                continue
            }
            let ins = node.inputs.map { $0 == Graph.input ? x : activations[$0] }
            switch node.op {
            case .layer(let layer): activations.append(layer.forward(ins[0], mode: mode))
            case .add:
                var sum = Tensor(uninitializedShape: ins[0].shape)
                let count = sum.count
                sum.withUnsafeMutablePointer { s in
                    ins[0].withUnsafePointer { a in ins[1].withUnsafePointer { b in Elementwise.add(a, b, into: s, count: count) } }
                    for other in ins.dropFirst(2) { other.withUnsafePointer { Elementwise.add(s, $0, into: s, count: count) } }
                }
                activations.append(sum)
            }
        }
        return activations.last ?? x
    }

    /// Back-propagates dL/d(output) through the graph, accumulating parameter gradients.
    /// `extra` adds gradients at named intermediate nodes (feature-distillation hints).
    /// `from` names the node `gradOutput` belongs to (default the last; nodes after it are
    /// skipped): a loss on the logits before a final softmax starts there.
    public func backward(_ gradOutput: Tensor, extra: [String: Tensor] = [:], from: Int? = nil) {
        var grads = [Tensor?](repeating: nil, count: nodes.count)
        let start = from ?? nodes.count - 1
        if start != Graph.input { grads[start] = gradOutput }
        for (name, g) in extra { if let i = index(of: name) { Graph.accumulate(&grads[i], g) } }
        for i in stride(from: nodes.count - 1, through: 0, by: -1) {
            guard let g = grads[i] else { continue }
            grads[i] = nil
            let node = nodes[i]
            // A BatchNorm fused with this clamp, with no gradient of its own: both backward in one.
            if let p = trainingFusion?.fusedProducer[i], grads[p] == nil, let dx = backwardFused(p, from: i, g) {
                if nodes[p].inputs[0] != Graph.input { Graph.accumulate(&grads[nodes[p].inputs[0]], dx) }
                continue
            }
            switch node.op {
            case .layer(let layer):
                let dx = layer.backward(g)
                if node.inputs[0] != Graph.input { Graph.accumulate(&grads[node.inputs[0]], dx) }
            case .add:
                for p in node.inputs where p != Graph.input { Graph.accumulate(&grads[p], g) }
            }
        }
    }

    /// a += b in place (a takes b itself when empty: an add node hands one gradient to all its
    /// producers without copying; the first of them to accumulate onto it copies it then).
    private static func accumulate(_ a: inout Tensor?, _ b: Tensor) {
        guard a != nil else { a = b; return }
        let count = b.count
        a!.withUnsafeMutablePointer { ap in b.withUnsafePointer { Elementwise.add(ap, $0, into: ap, count: count) } }
    }

    /// Parameters with PyTorch state_dict names ("conv1.weight"), in node order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        nodes.flatMap { node in (node.layer?.parameters ?? []).map { ("\(node.name).\($0.name)", $0.parameter) } }
    }

    /// Non-trainable state with state_dict names ("bn1.running_mean").
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        nodes.flatMap { node in (node.layer?.buffers ?? []).map { ("\(node.name).\($0.name)", $0.tensor) } }
    }

    public func zeroGrad() { for (_, p) in namedParameters { p.zeroGrad() } }

    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }
}

public struct GraphError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
