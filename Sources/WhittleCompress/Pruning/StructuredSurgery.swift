import WhittleNN
import WhittleTensor

/// What structured surgery produced.
public struct SurgeryResult {
    /// The smaller dense model.
    public var graph: Graph
    /// The masks that still apply (sliced to the new shapes); masks left all ones are dropped.
    public var masks: [String: Tensor]
    /// For every layer that lost outputs, the original indices of the outputs it kept.
    public var keptOutputs: [String: [Int]]
}

/// Physically removes pruned channels: a conv2d or linear layer loses every filter whose weight
/// mask is all zero (filter pruning) and every filter no later layer reads (channel pruning of
/// the next layer); the next layer loses the matching input channels (through activations,
/// pooling and dropout; through a flatten, one channel is h·w input features); BatchNorm loses
/// the matching entries. The output layer keeps all its outputs.
///
/// Removed filters were producing exactly 0 (the pruner masks their bias and BatchNorm γ, β
/// with them) or were not read, so the smaller graph computes what the masked graph computes.
/// Layers without parameters are shared with the original graph.
public enum StructuredSurgery {
    public static func apply(_ graph: Graph, masks: [String: Tensor]) throws -> SurgeryResult {
        let layers = PrunableLayer.all(in: graph)
        var kept: [Int: [Int]] = [:]   // node → kept outputs
        for (li, layer) in layers.enumerated() where !layer.isOutput {
            var keep = Array(0..<layer.outputs)
            if let mask = masks[layer.weightName] {
                keep = keep.filter { o in (0..<layer.fanIn).contains { mask.storage[o * layer.fanIn + $0] != 0 } }
            }
            if li + 1 < layers.count, let next = masks[layers[li + 1].weightName], !layers[li + 1].readsInput {
                let reader = layers[li + 1]
                let read = Set(WeightGroups(.channel, for: reader).groupScores(next.storage).enumerated().filter { $0.element > 0 }.map(\.offset))
                if reader.inputChannels == layer.outputs { keep = keep.filter(read.contains) }
            }
            guard !keep.isEmpty else { throw PruneError("layer '\(layer.name)': surgery would remove every filter (prune fewer)") }
            if keep.count < layer.outputs { kept[layer.node] = keep }
        }
        let result = Graph(inputShape: graph.inputShape)
        var newMasks: [String: Tensor] = [:]
        var selection: [Int]? = nil   // kept channels (or features) of the current tensor; nil: all
        var dummy = RNG(seed: 0)
        /// Copies a parameter's kept elements (and its mask's) into the new parameter.
        func transplant(_ name: String, from old: Parameter, to new: Parameter, elements: [Int]) {
            new.value = Tensor(shape: new.value.shape, storage: elements.map { old.value.storage[$0] })
            if let m = masks[name] {
                let sliced = elements.map { m.storage[$0] }
                if sliced.contains(0) { newMasks[name] = Tensor(shape: new.value.shape, storage: sliced) }
            }
        }
        for (k, node) in graph.nodes.enumerated() {
            guard k == 0 ? node.inputs == [Graph.input] : node.inputs == [k - 1], let layer = node.layer else {
                throw PruneError("layer '\(node.name)' (\(node.layer?.kind ?? "add")): structured surgery handles chains only")
            }
            let op: Layer
            switch layer {
            case let conv as Conv2d:
                let outs = kept[k] ?? Array(0..<conv.outChannels), ins = selection ?? Array(0..<conv.inChannels)
                guard conv.groups == 1 || (kept[k] == nil && selection == nil) else {
                    throw PruneError("layer '\(node.name)': structured surgery does not handle grouped convolutions")
                }
                let c = Conv2d(inChannels: ins.count, outChannels: outs.count, kernel: conv.kernel, stride: conv.stride,
                               padding: conv.padding, groups: conv.groups, bias: conv.bias != nil, rng: &dummy)
                let taps = conv.kernel.h * conv.kernel.w, perGroupIn = conv.inChannels / conv.groups
                transplant(node.name + ".weight", from: conv.weight, to: c.weight, elements: outs.flatMap { o in
                    (selection == nil ? Array(0..<perGroupIn) : ins).flatMap { i in (0..<taps).map { (o * perGroupIn + i) * taps + $0 } }
                })
                if let b = conv.bias, let nb = c.bias { transplant(node.name + ".bias", from: b, to: nb, elements: outs) }
                selection = kept[k]
                op = c
            case let fc as Linear:
                let outs = kept[k] ?? Array(0..<fc.outFeatures), ins = selection ?? Array(0..<fc.inFeatures)
                let f = Linear(inFeatures: ins.count, outFeatures: outs.count, bias: fc.bias != nil, rng: &dummy)
                transplant(node.name + ".weight", from: fc.weight, to: f.weight, elements: outs.flatMap { o in ins.map { o * fc.inFeatures + $0 } })
                if let b = fc.bias, let nb = f.bias { transplant(node.name + ".bias", from: b, to: nb, elements: outs) }
                selection = kept[k]
                op = f
            case let bn as BatchNorm:
                let sel = selection ?? Array(0..<bn.channels)
                let n = BatchNorm(channels: sel.count, spatial: bn.spatial, eps: bn.eps, momentum: bn.momentum)
                transplant(node.name + ".weight", from: bn.weight, to: n.weight, elements: sel)
                transplant(node.name + ".bias", from: bn.bias, to: n.bias, elements: sel)
                n.setBuffer("running_mean", Tensor(shape: [sel.count], storage: sel.map { bn.runningMean.storage[$0] }))
                n.setBuffer("running_var", Tensor(shape: [sel.count], storage: sel.map { bn.runningVar.storage[$0] }))
                n.setBuffer("num_batches_tracked", Tensor(shape: [], storage: [bn.batchesTracked]))
                op = n
            case is Flatten:
                if let sel = selection, node.inputShape.count == 3 {
                    let plane = node.inputShape[1] * node.inputShape[2]
                    selection = sel.flatMap { c in (c * plane)..<((c + 1) * plane) }
                }
                op = layer
            default:
                guard PrunableLayer.channelPreserving(layer) || selection == nil else {
                    throw PruneError("layer '\(node.name)' (\(layer.kind)): structured surgery cannot pass removed channels through it")
                }
                op = layer
            }
            do { try result.append(node.name, .layer(op)) } catch let e as GraphError { throw PruneError("surgery: \(e.description)") }
        }
        let keptByName = Dictionary(uniqueKeysWithValues: kept.map { (graph.nodes[$0.key].name, $0.value) })
        return SurgeryResult(graph: result, masks: newMasks, keptOutputs: keptByName)
    }

    /// Checks, before any training, that surgery will be able to remove the channels of `layers`
    /// pruned at `granularity`: not the output layer's filters, not the model input's channels,
    /// no grouped convolution, and only activations, pooling, dropout, BatchNorm and flatten
    /// between a layer and the next.
    public static func check(_ graph: Graph, layers names: [String], granularity: PruneGranularity) throws {
        let layers = PrunableLayer.all(in: graph)
        for name in names {
            guard let li = layers.firstIndex(where: { $0.name == name }) else { continue }
            let layer = layers[li]
            if granularity == .filter && layer.isOutput {
                throw PruneError("layer '\(name)': its outputs are the model's outputs; its filters cannot be removed (leave it out of the filter pruning)")
            }
            if granularity == .channel && layer.readsInput {
                throw PruneError("layer '\(name)': it reads the model input, whose channels cannot be removed (prune its filters instead)")
            }
            let producer = granularity == .filter ? layer : layers[li - 1]
            let consumer = granularity == .filter ? layers[li + 1] : layer
            for k in producer.node...consumer.node {
                let node = graph.nodes[k]
                guard node.inputs == [k - 1] || k == producer.node, let l = node.layer else {
                    throw PruneError("layer '\(node.name)' (\(node.layer?.kind ?? "add")): structured surgery handles chains only")
                }
                if let conv = l as? Conv2d, conv.groups != 1 {
                    throw PruneError("layer '\(node.name)': structured surgery does not handle grouped convolutions")
                }
                guard l is Conv2d || l is Linear || l is BatchNorm || l is Flatten || PrunableLayer.channelPreserving(l) else {
                    throw PruneError("layer '\(node.name)' (\(l.kind)): structured surgery cannot pass removed channels through it")
                }
            }
            if consumer.channelBlock == 1 && consumer.inputChannels != producer.outputs {
                throw PruneError("layer '\(consumer.name)': its \(consumer.inputs) inputs do not map to the \(producer.outputs) filters of '\(producer.name)'")
            }
        }
    }
}
