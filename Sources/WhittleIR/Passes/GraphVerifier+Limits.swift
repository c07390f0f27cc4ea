import WhittleSupport

/// The `size-limit` rule: every size a graph claims stays under `QGraphLimits`. Each check runs
/// before the verifier (or anything after it) multiplies by that size or allocates for it, and
/// multiplies untrusted numbers only through `checkedProduct`, so no file can trap.
extension GraphVerifier {
    /// Counts first: the other checks loop over (and some compare every pair of) nodes and tensors.
    static func verifyCounts(_ graph: QGraph) throws {
        for (what, count, limit) in [("tensors", graph.tensors.count, QGraphLimits.maxTensors),
                                     ("nodes", graph.nodes.count, QGraphLimits.maxNodes)] where count > limit {
            throw fail("graph", .sizeLimit, "\(count) \(what), over the limit of \(limit)")
        }
    }

    /// One tensor's dimensions (already ≥ 1) and elements, then all tensors' elements together.
    static func verifySizes(_ tensors: [QTensor]) throws {
        var total = 0
        for tensor in tensors {
            let location = "tensor '\(tensor.name)'"
            let s = tensor.shape
            if let big = [s.height, s.width, s.channels].first(where: { $0 > QGraphLimits.maxDimension }) {
                throw fail(location, .sizeLimit, "shape \(s) has a dimension of \(big), over the limit of \(QGraphLimits.maxDimension)")
            }
            let elements = checkedProduct(s.height, s.width, s.channels)
            guard let count = elements, count <= QGraphLimits.maxTensorElements else {
                throw fail(location, .sizeLimit, "shape \(s) has \(text(elements)) elements, over the limit of \(QGraphLimits.maxTensorElements)")
            }
            total += count // at most maxTensors · maxTensorElements: no overflow
            if total > QGraphLimits.maxGraphElements {
                throw fail(location, .sizeLimit, "brings the graph's tensors to \(total) elements, over the limit of \(QGraphLimits.maxGraphElements)")
            }
        }
    }

    /// Kernel, stride and padding (already ≥ 0), before the window's geometry adds them up.
    static func verifySize(_ w: Window2D, _ location: String) throws {
        let fields = [("kernel height", w.kernelHeight), ("kernel width", w.kernelWidth),
                      ("stride height", w.strideHeight), ("stride width", w.strideWidth),
                      ("pad top", w.padTop), ("pad left", w.padLeft), ("pad bottom", w.padBottom), ("pad right", w.padRight)]
        if let (name, value) = fields.first(where: { $0.1 > QGraphLimits.maxDimension }) {
            throw fail(location, .sizeLimit, "\(name) \(value) is over the limit of \(QGraphLimits.maxDimension)")
        }
    }

    /// The weights per output of a layer with `outputs` outputs and `perOutput` (the factors of
    /// its reduction), once its dense weight count is known to stay under the limit.
    static func verifyLayerWeights(outputs: Int, perOutput factors: [Int], _ location: String) throws -> Int {
        let reduction = checkedProduct(factors)
        let weights = reduction.flatMap { checkedProduct(outputs, $0) }
        guard let perOutput = reduction, let total = weights, total <= QGraphLimits.maxLayerWeights else {
            throw fail(location, .sizeLimit, "\(outputs) outputs × \(factors.map(String.init).joined(separator: " × ")) is \(text(weights)) weights, over the limit of \(QGraphLimits.maxLayerWeights)")
        }
        return perOutput
    }

    /// The work of one inference and the weights of all layers, once every node's shapes,
    /// windows and weight counts are checked (so each node's figures fit an Int): the reference
    /// interpreter does this much per input and holds this many weights.
    static func verifyWork(_ graph: QGraph) throws {
        var macs = 0, weights = 0
        let producers = graph.producers
        for node in graph.nodes {
            let location = "node '\(node.name)' (\(node.op.kindName))"
            let operation = node.op.operation
            weights += operation.layerWeights?.count ?? 0 // each under maxLayerWeights, at most maxNodes of them: no overflow
            let nodeMACs = operation.work(NodeContext(node: node, graph: graph, producers: producers))
            if weights > QGraphLimits.maxGraphWeights {
                throw fail(location, .sizeLimit, "brings the graph to \(weights) weights, over the limit of \(QGraphLimits.maxGraphWeights)")
            }
            let (sum, overflow) = macs.addingReportingOverflow(nodeMACs ?? .max)
            guard nodeMACs != nil, !overflow, sum <= QGraphLimits.maxGraphMACs else {
                throw fail(location, .sizeLimit, "runs \(text(nodeMACs)) multiply-accumulates (a pool tap counts as one), "
                           + "\(overflow ? "more than 2^63" : String(sum)) in the graph so far, over the limit of \(QGraphLimits.maxGraphMACs) per inference")
            }
            macs = sum
        }
    }

    /// The validation set's size, before its arrays are compared with `count` × the tensor sizes.
    static func verifySize(_ set: ValidationSet, in graph: QGraph) throws {
        guard set.count <= QGraphLimits.maxVectors else {
            throw fail("validation set", .sizeLimit, "\(set.count) inputs, over the limit of \(QGraphLimits.maxVectors)")
        }
        let perVector = graph.inputTensor.byteCount + graph.outputTensor.byteCount // both checked: no overflow
        let bytes = checkedProduct(max(set.count, 0), perVector)
        guard (bytes ?? .max) <= QGraphLimits.maxVectorBytes else {
            throw fail("validation set", .sizeLimit, "\(set.count) inputs × \(perVector) input and output bytes is \(text(bytes)) bytes, over the limit of \(QGraphLimits.maxVectorBytes)")
        }
    }

    /// A product that may have overflowed, for a message.
    private static func text(_ value: Int?) -> String {
        value.map(String.init) ?? "more than 2^63"
    }
}
