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
            lines.append("\(tensor(graph, node.output)) = \(node.op.kindName)(\(inputs))\(node.op.operation.textDetails)\(name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func tensor(_ graph: QGraph, _ id: TensorID) -> String {
        let t = graph.tensors[id]
        return "%\(id) '\(t.name)' \(t.shape) (s \(t.quant.scale), z \(t.quant.zeroPoint))"
    }

    static func window(_ w: Window2D) -> String {
        "kernel \(w.kernelHeight)x\(w.kernelWidth) stride \(w.strideHeight)x\(w.strideWidth) pad \(w.padTop)/\(w.padLeft)/\(w.padBottom)/\(w.padRight)"
    }

    static func clamp(_ c: ClampRange) -> String { "clamp \(c.min)..\(c.max)" }
}
