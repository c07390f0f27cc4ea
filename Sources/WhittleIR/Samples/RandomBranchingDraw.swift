/// One draw of `SampleGraphs.randomBranching`: 1 to 3 stages, each a fork of 2 to 4 branches from
/// one tensor joined back by adds, so several branches and skips are alive at once and the order
/// the nodes run in changes how much memory is live. The branches' nodes are listed interleaved at
/// random, as a front end might list them, so the graph's own order is rarely the leanest.
struct RandomBranchingDraw {
    private var rng: SeededGenerator
    private var builder: QGraphBuilder
    private var nodesDrawn = 0

    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let shape = TensorShape(height: Int.random(in: 1...12, using: &rng), width: Int.random(in: 1...12, using: &rng),
                                channels: Int.random(in: 1...8, using: &rng))
        let quant = QuantParams(scale: rng.logUniform(0.002...0.1), zeroPoint: Int32.random(in: -128...127, using: &rng))
        builder = QGraphBuilder(inputShape: shape, inputQuant: quant, inputDescription: "random branching test graph")
        self.rng = rng
    }

    mutating func graph() throws -> QGraph {
        var x = builder.input
        for stage in 0..<Int.random(in: 1...3, using: &rng) {
            let shape = builder.shape(of: x)
            if stage > 0 && shape.height > 1 && shape.width > 1 && Bool.random(using: &rng) {
                x = try builder.maxPool(x, name: nextName(), window: Window2D(kernel: 2, stride: 2))
            } else if stage > 0 {
                x = try pointwise(x, to: Int.random(in: 1...8, using: &rng))
            }
            x = try fork(x, nested: false)
        }
        return try builder.finish(output: x)
    }

    private mutating func nextName() -> String {
        nodesDrawn += 1
        return "op\(nodesDrawn)"
    }

    /// 2 to 4 branches from `x` of 1 to 3 ops each, built one op at a time in a random
    /// interleaving; then the branch outputs, and half the time `x` itself, summed two at a time
    /// in random pairs.
    private mutating func fork(_ x: QGraphBuilder.TensorRef, nested: Bool) throws -> QGraphBuilder.TensorRef {
        let channels = builder.shape(of: x).channels
        var branches = (0..<Int.random(in: 2...4, using: &rng)).map { _ in (tip: x, opsLeft: Int.random(in: 1...3, using: &rng)) }
        while let i = branches.indices.filter({ branches[$0].opsLeft > 0 }).randomElement(using: &rng) {
            branches[i].opsLeft -= 1
            branches[i].tip = try branchOp(branches[i].tip, channels: channels, last: branches[i].opsLeft == 0, nested: nested)
        }
        var terms = branches.map(\.tip) + (Bool.random(using: &rng) ? [x] : [])
        while terms.count > 1 {
            let a = terms.remove(at: Int.random(in: terms.indices, using: &rng))
            let b = terms.remove(at: Int.random(in: terms.indices, using: &rng))
            let scale = (builder.quant(of: a).scale + builder.quant(of: b).scale) * rng.logUniform(0.5...2)
            terms.append(try builder.add(a, b, name: nextName(), output: QuantParams(scale: scale, zeroPoint: Int32.random(in: -128...127, using: &rng)),
                                         activation: activation()))
        }
        return terms[0]
    }

    /// One op of a branch that keeps the height and width: a pointwise conv to 1 to 4 times the
    /// fork's channels (back to them for a branch's last op), a 3×3 depthwise conv, a 3×3 pool, or,
    /// one level deep, a fork of its own.
    private mutating func branchOp(_ x: QGraphBuilder.TensorRef, channels: Int, last: Bool, nested: Bool) throws -> QGraphBuilder.TensorRef {
        let current = builder.shape(of: x).channels
        let same = Window2D(kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)
        if last && current != channels { return try pointwise(x, to: channels) }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0..<2: return try pointwise(x, to: last ? channels : Int.random(in: 1...(4 * channels), using: &rng))
        case 2: return try builder.maxPool(x, name: nextName(), window: same, activation: activation())
        case 3: return try builder.averagePool(x, name: nextName(), window: same, activation: activation())
        case 4 where !nested: return try fork(x, nested: true)
        default: return try conv(x, outputs: current, window: same, groups: current)
        }
    }

    private mutating func pointwise(_ x: QGraphBuilder.TensorRef, to outputs: Int) throws -> QGraphBuilder.TensorRef {
        try conv(x, outputs: outputs, window: Window2D(kernel: 1), groups: 1)
    }

    private mutating func conv(_ x: QGraphBuilder.TensorRef, outputs: Int, window: Window2D, groups: Int) throws -> QGraphBuilder.TensorRef {
        let fanIn = window.kernelHeight * window.kernelWidth * builder.shape(of: x).channels / groups
        let p = RandomLayer(outputs: outputs, fanIn: fanIn, inputScale: builder.quant(of: x).scale, style: .small,
                            spread: rng.logUniform(0.3...3), using: &rng)
        return try builder.conv2d(x, name: nextName(), weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                                  outputChannels: outputs, window: window, groups: groups, output: p.output, activation: activation())
    }

    private mutating func activation() -> FusedActivation {
        FusedActivation.allCases.randomElement(using: &rng)!
    }
}
