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

/// Physically removes pruned channels, channel space by channel space (see `ChannelSpaces`):
/// channel c of a space goes when filter c of every producer is masked to zero (filter pruning)
/// or when no reader reads it (channel pruning of the readers). Every conv2d and linear writing
/// the space loses filter c, every depthwise conv in it its filter c (its groups shrink with
/// it), every BatchNorm in it entry c, and every reader input c (through a flatten, the h·w
/// features of channel c). Adds are unchanged: both sides hold the same space. Fixed spaces
/// (the model's outputs, the input's channels) keep all their channels.
///
/// Removed channels were exactly 0 everywhere (the pruner masks every producer's filter and
/// bias, the depthwise filters and biases and every BatchNorm γ and β of the space; ReLU, pooling
/// and a BatchNorm with γ = β = 0 keep a 0 at 0, and 0 + 0 = 0 at an add) or were not read, so
/// the smaller graph computes what the masked graph computes. Layers without parameters are
/// shared with the original graph; node names and inputs stay.
public enum StructuredSurgery {
    public static func apply(_ graph: Graph, masks: [String: Tensor]) throws -> SurgeryResult {
        let spaces = ChannelSpaces(graph)
        let layers = PrunableLayer.all(in: graph, spaces: spaces)
        let byNode = Dictionary(uniqueKeysWithValues: layers.map { ($0.node, $0) })
        var kept: [Int: [Int]] = [:]   // space → kept channels
        for space in spaces.spaces where space.isPrunable {
            let keep = try keptChannels(space, layers: byNode, masks: masks)
            if keep.count < space.width { kept[space.id] = keep }
        }
        let result = Graph(inputShape: graph.inputShape)
        var newMasks: [String: Tensor] = [:]
        /// Copies a parameter's kept elements (and its mask's) into the new parameter.
        func transplant(_ name: String, from old: Parameter, to new: Parameter, elements: [Int]) {
            new.value = Tensor(shape: new.value.shape, storage: elements.map { old.value.storage[$0] })
            if let m = masks[name] {
                let sliced = elements.map { m.storage[$0] }
                if sliced.contains(0) { newMasks[name] = Tensor(shape: new.value.shape, storage: sliced) }
            }
        }
        for (k, node) in graph.nodes.enumerated() {
            // Kept outputs and input features (channel c is features c·block ..< (c+1)·block); nil: all.
            let read = spaces.reads[k], keptOut = kept[spaces.outputs[k].space]
            let keptIn = kept[read.space].map { $0.flatMap { c in (c * read.block)..<((c + 1) * read.block) } }
            var op = node.op
            switch node.layer {
            case let conv as Conv2d:
                let outs = keptOut ?? Array(0..<conv.outChannels), perGroupIn = conv.inChannels / conv.groups
                // Groups 1: the kept inputs; depthwise: its one input; other grouped convs sit in fixed spaces.
                let inputs = conv.groups == 1 ? keptIn ?? Array(0..<conv.inChannels) : Array(0..<perGroupIn)
                let depthwise = ChannelSpaces.isDepthwise(conv)
                let c = conv.resized(inChannels: conv.groups == 1 ? inputs.count : depthwise ? outs.count : conv.inChannels,
                                     outChannels: outs.count, groups: depthwise ? outs.count : conv.groups)
                let taps = conv.kernel.h * conv.kernel.w
                transplant(node.name + ".weight", from: conv.weight, to: c.weight, elements: outs.flatMap { o in
                    inputs.flatMap { i in (0..<taps).map { (o * perGroupIn + i) * taps + $0 } }
                })
                if let b = conv.bias, let nb = c.bias { transplant(node.name + ".bias", from: b, to: nb, elements: outs) }
                op = .layer(c)
            case let fc as Linear:
                let outs = keptOut ?? Array(0..<fc.outFeatures), inputs = keptIn ?? Array(0..<fc.inFeatures)
                var dummy = RNG(seed: 0)
                let f = Linear(inFeatures: inputs.count, outFeatures: outs.count, bias: fc.bias != nil, rng: &dummy)
                transplant(node.name + ".weight", from: fc.weight, to: f.weight, elements: outs.flatMap { o in inputs.map { o * fc.inFeatures + $0 } })
                if let b = fc.bias, let nb = f.bias { transplant(node.name + ".bias", from: b, to: nb, elements: outs) }
                op = .layer(f)
            case let bn as BatchNorm:
                let sel = keptOut ?? Array(0..<bn.channels)
                let n = BatchNorm(channels: sel.count, spatial: bn.spatial, eps: bn.eps, momentum: bn.momentum)
                transplant(node.name + ".weight", from: bn.weight, to: n.weight, elements: sel)
                transplant(node.name + ".bias", from: bn.bias, to: n.bias, elements: sel)
                n.setBuffer("running_mean", Tensor(shape: [sel.count], storage: sel.map { bn.runningMean.storage[$0] }))
                n.setBuffer("running_var", Tensor(shape: [sel.count], storage: sel.map { bn.runningVar.storage[$0] }))
                n.setBuffer("num_batches_tracked", Tensor(shape: [], storage: [bn.batchesTracked]))
                op = .layer(n)
            default: break   // adds and parameterless layers: the same op on fewer channels
            }
            do { try result.append(node.name, op, inputs: node.inputs) } catch let e as GraphError { throw PruneError("surgery: \(e.description)") }
        }
        var keptByName: [String: [Int]] = [:]
        for layer in layers { if let keep = kept[layer.outputSpace] { keptByName[layer.name] = keep } }
        return SurgeryResult(graph: result, masks: newMasks, keptOutputs: keptByName)
    }

    /// The channels of a prunable space that stay: those some producer still writes (its
    /// filter is not all masked) and some reader still reads (its weights for the channel are
    /// not all masked). A producer or reader without a mask keeps every channel.
    private static func keptChannels(_ space: ChannelSpaces.Space, layers: [Int: PrunableLayer], masks: [String: Tensor]) throws -> [Int] {
        let producers = space.producers.compactMap { layers[$0] }, readers = space.readers.compactMap { layers[$0] }
        func written(_ p: PrunableLayer) -> Set<Int>? {
            masks[p.weightName].map { m in Set((0..<p.outputs).filter { o in (0..<p.fanIn).contains { m.storage[o * p.fanIn + $0] != 0 } }) }
        }
        func read(_ r: PrunableLayer) -> Set<Int>? {
            masks[r.weightName].map { m in Set(WeightGroups(.channel, for: r).groupScores(m.storage).enumerated().filter { $0.element > 0 }.map(\.offset)) }
        }
        let all = Set(0..<space.width)
        let writers = producers.isEmpty ? [all] : producers.map { written($0) ?? all }
        let readSets = readers.isEmpty ? [all] : readers.map { read($0) ?? all }
        let live = writers.reduce(Set<Int>()) { $0.union($1) }.intersection(readSets.reduce(Set<Int>()) { $0.union($1) })
        guard !live.isEmpty else {
            let name = (producers.first ?? readers.first)?.name ?? "?"
            throw PruneError("layer '\(name)': surgery would remove every filter (prune fewer)")
        }
        return live.sorted()
    }

    /// Checks, before any training, that surgery will be able to remove the channels of `layers`
    /// pruned at `granularity`: for filters, their output channels must be prunable; for
    /// channels, their input channels (and a depthwise conv has one input per filter).
    public static func check(_ graph: Graph, layers names: [String], granularity: PruneGranularity) throws {
        let spaces = ChannelSpaces(graph)
        for layer in PrunableLayer.all(in: graph, spaces: spaces) where names.contains(layer.name) {
            if granularity == .filter, let why = spaces.whyOutputsFixed(layer.node) {
                throw PruneError("layer '\(layer.name)': \(why); its filters cannot be removed (leave it out of the filter pruning)")
            }
            guard granularity == .channel else { continue }
            if layer.isDepthwise {
                throw PruneError("layer '\(layer.name)': a depthwise conv reads one channel per filter; prune its filters instead")
            }
            if let why = spaces.whyInputsFixed(layer.node) { throw PruneError("layer '\(layer.name)': \(why)") }
        }
    }
}

extension Conv2d {
    /// A conv with this one's geometry (kernel, stride, padding, bias or not) and new widths:
    /// the one place surgery builds a conv, so a new geometry field is copied here once.
    func resized(inChannels: Int, outChannels: Int, groups: Int) -> Conv2d {
        var dummy = RNG(seed: 0)   // the weights are overwritten
        return Conv2d(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                      groups: groups, bias: bias != nil, rng: &dummy)
    }
}
