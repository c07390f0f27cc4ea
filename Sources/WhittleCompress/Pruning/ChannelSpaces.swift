import WhittleNN

/// Which channels of a graph can only be removed together: the channel-dependency analysis that
/// structured pruning stands on.
///
/// Every node output belongs to a channel space: "channel c" of a space is channel c of every
/// tensor in it. A conv2d (groups 1) or linear layer starts a space for its output; BatchNorm,
/// ReLU/ReLU6, pooling, dropout and depthwise convs (groups == in == out) keep their input's;
/// an add joins the spaces of its inputs into one (a residual block's output channels are its
/// skip's); a flatten keeps the space with h·w features per channel. Removing channel c of a
/// space removes filter c of every producer, entry c of every depthwise conv and BatchNorm in
/// it, and input c (or features c·h·w ..< (c+1)·h·w) of every reader.
///
///     stem conv ─ bn ─ relu ─┬─ conv ─ bn ─ relu ─ conv ─ bn ─ add ─ relu ─ …
///                            └────────────────────────────────┘
///     one space: stem conv and the block's second conv (and their BatchNorms) lose the same channels
///
/// A space is fixed (none of its channels can be removed) when it holds the model input or the
/// model outputs, or when its channels reach a layer the analysis cannot follow: a grouped conv
/// that is not depthwise (a depth multiplier above 1 included), a BatchNorm over flattened
/// features, or a layer kind it does not know.
public struct ChannelSpaces {
    /// Why a space's channels cannot be removed.
    public enum Fixed: Equatable, Sendable {
        case modelInput
        case modelOutput
        /// Its channels reach this node, which the analysis cannot follow.
        case unfollowed(node: Int)
    }

    public struct Space {
        public let id: Int
        public let width: Int
        /// Conv2d and linear nodes whose outputs are this space's channels (a grouped conv's
        /// space has it as its only producer, and is fixed).
        public internal(set) var producers: [Int] = []
        /// Depthwise conv nodes inside the space: filter c maps channel c to channel c.
        public internal(set) var depthwise: [Int] = []
        public internal(set) var batchNorms: [Int] = []
        /// Conv2d and linear nodes (not depthwise) that read the space.
        public internal(set) var readers: [Int] = []
        /// The add nodes that joined it.
        public internal(set) var joins: [Int] = []
        public internal(set) var fixed: [Fixed] = []

        public var isPrunable: Bool { fixed.isEmpty }
    }

    /// How a tensor holds a space's channels: `block` features per channel (1 for [c, h, w] and
    /// plain feature vectors, h·w after a flatten of [c, h, w]).
    public struct View: Equatable, Sendable {
        public let space: Int
        public let block: Int
        public init(space: Int, block: Int) { self.space = space; self.block = block }
    }

    private let graph: Graph   // for the names in error text
    public let spaces: [Space]
    /// The view of every node's output, by node index.
    public let outputs: [View]
    /// The view of every node's (first) input, by node index.
    public let reads: [View]
    public let input: View

    public init(_ graph: Graph) {
        var builder = Builder()
        let inputView = View(space: builder.fresh(width: graph.inputShape.first ?? 0, fixed: .modelInput), block: 1)
        var outs: [View] = [], reads: [View] = []
        for (k, node) in graph.nodes.enumerated() {
            let ins = node.inputs.map { $0 == Graph.input ? inputView : outs[$0] }
            reads.append(ins[0])
            outs.append(builder.follow(node, k, ins))
        }
        if let last = outs.last { builder.fix(last.space, .modelOutput) }
        self.graph = graph
        (spaces, outputs, self.reads, input) = builder.finish(outputs: outs, reads: reads, input: inputView)
    }

    /// The space of node `k`'s output (for a depthwise conv, also its input's).
    public func space(of k: Int) -> Space { spaces[outputs[k].space] }
    /// The space node `k` reads.
    public func inputSpace(of k: Int) -> Space { spaces[reads[k].space] }

    /// Whether `layer` is a depthwise conv (groups == in == out): a member of its input's space.
    public static func isDepthwise(_ layer: Layer?) -> Bool {
        guard let conv = layer as? Conv2d else { return false }
        return conv.groups > 1 && conv.groups == conv.inChannels && conv.groups == conv.outChannels
    }

    // MARK: Error text

    /// Why node `k`'s filters cannot be removed ("its outputs are the model's outputs"), or nil.
    public func whyOutputsFixed(_ k: Int) -> String? {
        let space = space(of: k)
        guard let reason = space.fixed.first else { return nil }
        switch reason {
        case .modelOutput: return "its outputs are the model's outputs" + joined(space)
        case .modelInput: return space.joins.isEmpty ? "its output channels are the model input's" : "its outputs are added to the model input" + joined(space)
        case .unfollowed(let j): return j == k ? "it is \(describe(j)), whose filters cannot be removed one by one"
                                               : "its output channels pass through \(describe(j)), which channel pruning cannot follow" + joined(space)
        }
    }

    /// Why node `k`'s input channels cannot be removed ("it reads the model input, …"), or nil.
    public func whyInputsFixed(_ k: Int) -> String? {
        let space = inputSpace(of: k)
        guard let reason = space.fixed.first else { return nil }
        switch reason {
        case .modelInput: return "it reads the model input, whose channels cannot be removed" + joined(space) + " (prune its filters instead)"
        case .modelOutput: return "its input channels are the model's outputs" + joined(space)
        case .unfollowed(let j): return "its input channels pass through \(describe(j)), which channel pruning cannot follow" + joined(space)
        }
    }

    private func joined(_ space: Space) -> String {
        space.joins.isEmpty ? "" : " (joined by " + space.joins.map { "'\(graph.nodes[$0].name)'" }.joined(separator: ", ") + ")"
    }

    private func describe(_ k: Int) -> String {
        let node = graph.nodes[k]
        guard let layer = node.layer else { return "'\(node.name)' (add of differently laid out inputs)" }
        if let conv = layer as? Conv2d { return "'\(node.name)' (conv2d, groups \(conv.groups), \(conv.inChannels) → \(conv.outChannels) channels)" }
        return "'\(node.name)' (\(layer.kind))"
    }
}

/// Union-find over spaces while the graph is walked once in node order.
private struct Builder {
    var parent: [Int] = [], widths: [Int] = [], fixed: [[ChannelSpaces.Fixed]] = []
    /// Node roles, resolved to final spaces at the end.
    var producers: [(node: Int, space: Int)] = [], depthwise: [(node: Int, space: Int)] = []
    var batchNorms: [(node: Int, space: Int)] = [], readers: [(node: Int, space: Int)] = []
    var joins: [(node: Int, space: Int)] = []

    mutating func fresh(width: Int, fixed reason: ChannelSpaces.Fixed? = nil) -> Int {
        parent.append(parent.count)
        widths.append(width)
        fixed.append(reason.map { [$0] } ?? [])
        return parent.count - 1
    }

    mutating func find(_ s: Int) -> Int {
        var s = s
        while parent[s] != s { parent[s] = parent[parent[s]]; s = parent[s] }
        return s
    }

    mutating func fix(_ s: Int, _ reason: ChannelSpaces.Fixed) {
        let r = find(s)
        if !fixed[r].contains(reason) { fixed[r].append(reason) }
    }

    mutating func unite(_ a: Int, _ b: Int) -> Int {
        let (ra, rb) = (find(a), find(b))
        guard ra != rb else { return ra }
        let (root, child) = (min(ra, rb), max(ra, rb))   // the older space stays the root
        parent[child] = root
        for reason in fixed[child] where !fixed[root].contains(reason) { fixed[root].append(reason) }
        return root
    }

    /// The view of node `k`'s output, recording its role.
    mutating func follow(_ node: Graph.Node, _ k: Int, _ ins: [ChannelSpaces.View]) -> ChannelSpaces.View {
        typealias View = ChannelSpaces.View
        let v = ins[0]
        guard let layer = node.layer else {
            // An add: channel c of every input is channel c of the sum.
            guard ins.allSatisfy({ $0.block == v.block }) else { return opaque(node, k, ins) }
            let root = ins.dropFirst().reduce(v.space) { unite($0, $1.space) }
            joins.append((k, root))
            return View(space: root, block: v.block)
        }
        switch layer {
        case let conv as Conv2d where conv.groups == 1:
            readers.append((k, v.space))
            let out = fresh(width: conv.outChannels)
            producers.append((k, out))
            return View(space: out, block: 1)
        case let fc as Linear:
            readers.append((k, v.space))
            let out = fresh(width: fc.outFeatures)
            producers.append((k, out))
            return View(space: out, block: 1)
        case is Conv2d where ChannelSpaces.isDepthwise(layer):
            depthwise.append((k, v.space))
            return v
        case is Conv2d:
            // Grouped: removing a channel would unbalance its groups.
            fix(v.space, .unfollowed(node: k))
            let out = fresh(width: node.outputShape[0], fixed: .unfollowed(node: k))
            producers.append((k, out))
            return View(space: out, block: 1)
        case is BatchNorm:
            if v.block != 1 { fix(v.space, .unfollowed(node: k)) }
            batchNorms.append((k, v.space))
            return v
        case is ClampActivation, is Dropout, is MaxPool2d, is AvgPool2d:
            return v
        case is Flatten:
            let s = node.inputShape
            return s.count == 3 ? View(space: v.space, block: v.block * s[1] * s[2]) : v
        default:
            return opaque(node, k, ins)
        }
    }

    /// A node the analysis cannot see through: its inputs and its output are fixed.
    private mutating func opaque(_ node: Graph.Node, _ k: Int, _ ins: [ChannelSpaces.View]) -> ChannelSpaces.View {
        for v in ins { fix(v.space, .unfollowed(node: k)) }
        return ChannelSpaces.View(space: fresh(width: node.outputShape.first ?? 0, fixed: .unfollowed(node: k)), block: 1)
    }

    /// Numbers the final spaces 0, 1, … in order of creation and fills in their members.
    mutating func finish(outputs: [ChannelSpaces.View], reads: [ChannelSpaces.View], input: ChannelSpaces.View)
        -> ([ChannelSpaces.Space], [ChannelSpaces.View], [ChannelSpaces.View], ChannelSpaces.View) {
        var number: [Int: Int] = [:]
        var spaces: [ChannelSpaces.Space] = []
        for s in parent.indices where find(s) == s {
            number[s] = spaces.count
            spaces.append(ChannelSpaces.Space(id: spaces.count, width: widths[s], fixed: fixed[s]))
        }
        func id(_ s: Int) -> Int { number[find(s)]! }
        for (k, s) in producers { spaces[id(s)].producers.append(k) }
        for (k, s) in depthwise { spaces[id(s)].depthwise.append(k) }
        for (k, s) in batchNorms { spaces[id(s)].batchNorms.append(k) }
        for (k, s) in readers { spaces[id(s)].readers.append(k) }
        for (k, s) in joins { spaces[id(s)].joins.append(k) }
        func renumber(_ v: ChannelSpaces.View) -> ChannelSpaces.View { .init(space: id(v.space), block: v.block) }
        return (spaces, outputs.map(renumber), reads.map(renumber), renumber(input))
    }
}
