import WhittleTensor

/// Training runs a ReLU/ReLU6 together with the BatchNorm or two-input add before it when
/// nothing else reads that node's output: one pass over the activation instead of two, forward
/// and (for BatchNorm) backward, with the same bits as the separate layers. The layers stay
/// separate nodes (spec, checkpoint, lowering); only the graph's schedule changes. The fused
/// node's own output is not kept (`activations` holds an empty tensor for it) unless it is in
/// `keptActivations`.
struct TrainingFusion {
    /// For each node, the clamp node that computes its output with its own (nil: runs alone).
    let fusedInto: [Int?]
    /// For each node, the node fused into it (set on clamp nodes only).
    let fusedProducer: [Int?]

    init(_ graph: Graph) {
        var into = [Int?](repeating: nil, count: graph.nodes.count), producer = into
        let readers = graph.readers
        for (k, node) in graph.nodes.enumerated() where node.layer is ClampActivation {
            let p = node.inputs[0]
            guard p != Graph.input, readers[p] == [k], !graph.keptActivations.contains(p) else { continue }
            let before = graph.nodes[p]
            let fuses: Bool
            switch before.op {
            case .layer(let layer): fuses = layer is BatchNorm
            case .add: fuses = before.inputs.count == 2
            }
            if fuses { into[p] = k; producer[k] = p }
        }
        fusedInto = into
        fusedProducer = producer
    }
}

extension Graph {
    /// Runs the clamp node `k` and the node `p` fused into it on `p`'s inputs; returns the clamp's output.
    func forwardFused(_ p: Int, into k: Int, inputs: [Tensor]) -> Tensor {
        let clamp = nodes[k].layer as! ClampActivation
        var y: Tensor
        switch nodes[p].op {
        case .layer(let layer):
            y = (layer as! BatchNorm).forward(inputs[0], mode: .train, then: Clamp(upper: clamp.upper))
        case .add:
            y = Tensor(uninitializedShape: inputs[0].shape)
            let count = y.count
            y.withUnsafeMutablePointer { s in
                inputs[0].withUnsafePointer { a in inputs[1].withUnsafePointer { b in
                    Elementwise.add(a, b, into: s, count: count, then: Clamp(upper: clamp.upper))
                }}
            }
        }
        clamp.output = y
        return y
    }

    /// dL/d(input of the BatchNorm `p`) from dL/d(output of the clamp `k` after it); nil when
    /// `p` is an add, whose backward stays the graph's.
    func backwardFused(_ p: Int, from k: Int, _ gradOutput: Tensor) -> Tensor? {
        guard let norm = nodes[p].layer as? BatchNorm, let clamp = nodes[k].layer as? ClampActivation else { return nil }
        return norm.backward(gradOutput, throughClampWithOutput: clamp.output, upper: clamp.upper)
    }
}
