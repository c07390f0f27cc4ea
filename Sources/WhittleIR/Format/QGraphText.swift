/// A graph as text, one line per node, for `whittle emit --print-after` and for messages: each
/// tensor is `%id 'name' HxWxC (s scale, z zero point)`, each node the tensor it writes, its op
/// and the tensors it reads (and its own name when the tensor's differs).
///
///     %1 'conv1' 12x12x6 (s 0.0423, z -128) = conv2d(%0) kernel 5x5 stride 1x1 pad 0/0/0/0, groups 1, dense 150 weights, clamp -128..127, max pool 'pool1' 2x2 folded
public enum QGraphText {
    public static func text(_ graph: QGraph) -> String {
        var lines = ["input \(tensor(graph, graph.input)), output %\(graph.output)"]
        for node in graph.nodes {
            let inputs = node.inputs.map { "%\($0)" }.joined(separator: ", ")
            // The node's name, when its output tensor goes by another (a folded pool's conv).
            let name = graph.tensors[node.output].name == node.name ? "" : "  [node '\(node.name)']"
            lines.append("\(tensor(graph, node.output)) = \(node.op.kindName)(\(inputs))\(details(node.op))\(name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func tensor(_ graph: QGraph, _ id: TensorID) -> String {
        let t = graph.tensors[id]
        return "%\(id) '\(t.name)' \(t.shape) (s \(t.quant.scale), z \(t.quant.zeroPoint))"
    }

    private static func details(_ op: QOp) -> String {
        switch op {
        case .conv2d(let conv):
            var text = " \(window(conv.window)), groups \(conv.groups), \(conv.weights.formatName) \(conv.weights.count) weights, \(clamp(conv.clamp))"
            if let pool = conv.pool { text += ", max pool '\(pool.name)' \(pool.height)x\(pool.width) folded" }
            return text
        case .fullyConnected(let fc):
            return " \(fc.weights.formatName) \(fc.weights.count) weights, \(clamp(fc.clamp))"
        case .maxPool(let pool), .averagePool(let pool):
            return " \(window(pool.window)), \(clamp(pool.clamp))"
        case .reshape:
            return ""
        case .add(let add):
            return " \(clamp(add.clamp))"
        }
    }

    private static func window(_ w: Window2D) -> String {
        "kernel \(w.kernelHeight)x\(w.kernelWidth) stride \(w.strideHeight)x\(w.strideWidth) pad \(w.padTop)/\(w.padLeft)/\(w.padBottom)/\(w.padRight)"
    }

    private static func clamp(_ c: ClampRange) -> String { "clamp \(c.min)..\(c.max)" }
}
