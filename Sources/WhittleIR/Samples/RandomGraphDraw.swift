/// One draw of `SampleGraphs.random` (a chain) or `randomResidual` (a graph): picks ops one
/// after another, each fitting the shape the previous one produced; with `residual`, some steps
/// are residual blocks.
struct RandomGraphDraw {
    private var rng: SeededGenerator
    private var builder: QGraphBuilder
    private var x: QGraphBuilder.TensorRef
    private let residual: Bool

    init(seed: UInt64, residual: Bool = false) {
        self.residual = residual
        var rng = SeededGenerator(seed: seed)
        let shape = TensorShape(height: Int.random(in: 1...9, using: &rng), width: Int.random(in: 1...9, using: &rng),
                                channels: Int.random(in: 1...6, using: &rng))
        let quant = QuantParams(scale: rng.logUniform(0.002...0.1), zeroPoint: Int32.random(in: -128...127, using: &rng))
        builder = QGraphBuilder(inputShape: shape, inputQuant: quant, inputDescription: "random test graph")
        x = builder.input
        self.rng = rng
    }

    mutating func graph() throws -> QGraph {
        let steps = Int.random(in: 1...5, using: &rng)
        var afterConv = false // the previous step was a conv
        for step in 0..<steps {
            let previousWasConv = afterConv
            afterConv = false
            let name = "op\(step)"
            let shape = builder.shape(of: x)
            let spatial = shape.height > 1 || shape.width > 1
            if residual && (step == 0 || Int.random(in: 0..<3, using: &rng) == 0) {
                try residualBlock(name)
                continue
            }
            switch Int.random(in: 0..<24, using: &rng) {
            case 0..<10 where spatial || Bool.random(using: &rng):
                // A third of the convs read a zero-padded input (TFLite's explicit PAD before a conv).
                if Int.random(in: 0..<3, using: &rng) == 0 { try pad(name + "_pad") }
                try conv(name)
                afterConv = true
            case 10..<13:
                // After a conv, half the pools tile its output without a clamp of their own (LeNet's
                // 2×2): the ones `fold-max-pool` folds.
                if previousWasConv && Bool.random(using: &rng) {
                    x = try builder.maxPool(x, name: name, window: tilingWindow())
                } else {
                    x = try builder.maxPool(x, name: name, window: window(maxKernel: 3), activation: activation())
                }
            case 13..<16:
                x = try builder.averagePool(x, name: name, window: window(maxKernel: 3), activation: activation())
            case 21:
                try softmax(name)
            case 22:
                try pad(name)
            case 23 where spatial:
                // A global average in TFLite's form: MEAN over height and width, then a classifier.
                try mean(name + "_mean")
                try fullyConnected(name)
            default:
                if spatial && Bool.random(using: &rng) { x = try builder.flatten(x, name: name + "_flatten") }
                try fullyConnected(name)
            }
        }
        // A classifier's end: a quarter of the graphs finish with a softmax.
        if Int.random(in: 0..<4, using: &rng) == 0 { try softmax("softmax") }
        return try builder.finish(output: x)
    }

    /// Softmax over the channels with a beta of 1, 1/2, 2 or drawn around 1.
    private mutating func softmax(_ name: String) throws {
        let beta = [1, 0.5, 2, rng.logUniform(0.1...10)].randomElement(using: &rng)!
        x = try builder.softmax(x, name: name, beta: beta)
    }

    /// Zero-point padding of 0 to 2 on each side, and a third of the time 1 or 2 channels around.
    private mutating func pad(_ name: String) throws {
        func amount() -> Int { Int.random(in: 0...2, using: &rng) }
        let channels = Int.random(in: 0..<3, using: &rng) == 0
        x = try builder.pad(x, name: name, top: amount(), bottom: amount(), left: amount(), right: amount(),
                            channelsBefore: channels ? amount() : 0, channelsAfter: channels ? Int.random(in: 1...2, using: &rng) : 0)
    }

    /// The mean over height and width, its output scale drawn around the input's (a mean is
    /// rarely wider than its inputs), its zero point anywhere.
    private mutating func mean(_ name: String) throws {
        let output = QuantParams(scale: builder.quant(of: x).scale * rng.logUniform(0.2...2), zeroPoint: Int32.random(in: -128...127, using: &rng))
        x = try builder.mean(x, name: name, output: output, keepDims: Bool.random(using: &rng))
    }

    /// `skip + f(skip)` where f is 0 to 3 shape-keeping ops (a conv or depthwise conv with "same"
    /// padding, a stride-1 pool, a square fully connected layer, a softmax), so `skip` is read by two nodes and
    /// lives across the branch; the two inputs have unequal scales unless f is empty (x + x). The
    /// sum may go either way round, and its output scale is drawn around the inputs'.
    private mutating func residualBlock(_ name: String) throws {
        let skip = x
        let shape = builder.shape(of: x)
        for i in 0..<Int.random(in: 0...3, using: &rng) {
            let op = "\(name)_branch\(i)"
            let spatial = shape.height > 1 || shape.width > 1
            switch Int.random(in: 0..<7, using: &rng) {
            case 0..<3 where spatial:
                try conv(op, keepingShape: true)
            case 3 where spatial:
                x = try builder.maxPool(x, name: op, window: sameWindow(), activation: activation())
            case 4 where spatial:
                x = try builder.averagePool(x, name: op, window: sameWindow(), activation: activation())
            case 6:
                try softmax(op)
            default:
                if spatial { try conv(op, keepingShape: true) } else { try fullyConnected(op, outputs: shape.elementCount) }
            }
        }
        let (a, b) = Bool.random(using: &rng) ? (x, skip) : (skip, x)
        let scale = (builder.quant(of: a).scale + builder.quant(of: b).scale) * rng.logUniform(0.25...4)
        x = try builder.add(a, b, name: name, output: QuantParams(scale: scale, zeroPoint: Int32.random(in: -128...127, using: &rng)),
                            activation: activation())
    }

    /// Non-overlapping windows without padding, 1 or 2 high and wide (within the input).
    private mutating func tilingWindow() -> Window2D {
        let shape = builder.shape(of: x)
        let kh = Int.random(in: 1...min(2, shape.height), using: &rng), kw = Int.random(in: 1...min(2, shape.width), using: &rng)
        return Window2D(kernelHeight: kh, kernelWidth: kw, strideHeight: kh, strideWidth: kw)
    }

    /// A stride-1 window whose padding keeps the height and width: kernel 1 to 3, the padding
    /// (kernel − 1) split between the two sides at random.
    private mutating func sameWindow() -> Window2D {
        let kh = Int.random(in: 1...3, using: &rng), kw = Int.random(in: 1...3, using: &rng)
        let top = Int.random(in: 0..<kh, using: &rng), left = Int.random(in: 0..<kw, using: &rng)
        return Window2D(kernelHeight: kh, kernelWidth: kw, strideHeight: 1, strideWidth: 1,
                        padTop: top, padLeft: left, padBottom: kh - 1 - top, padRight: kw - 1 - left)
    }

    private mutating func conv(_ name: String, keepingShape: Bool = false) throws {
        let inChannels = builder.shape(of: x).channels
        var groups = 1, outChannels = keepingShape ? inChannels : Int.random(in: 1...8, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0 where inChannels > 1: // depthwise, multiplier 1 or 2
            groups = inChannels
            outChannels = inChannels * (keepingShape ? 1 : Int.random(in: 1...2, using: &rng))
        case 1:
            // A proper divisor where the channels have one (a grouped conv that is neither plain nor depthwise).
            let divisors = (1...inChannels).filter { inChannels % $0 == 0 }, proper = divisors.filter { $0 > 1 && $0 < inChannels }
            groups = (proper.isEmpty ? divisors : proper).randomElement(using: &rng)!
            outChannels = keepingShape ? inChannels : groups * Int.random(in: 1...3, using: &rng)
        default:
            break
        }
        let w = keepingShape ? sameWindow() : window(maxKernel: 4)
        let fanIn = w.kernelHeight * w.kernelWidth * (inChannels / groups)
        var p = layer(outputs: outChannels, fanIn: fanIn)
        let format = weightFormat(&p, fanIn: fanIn)
        x = try builder.conv2d(x, name: name, weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                               outputChannels: outChannels, window: w, groups: groups, output: p.output,
                               activation: activation(), format: format)
    }

    private mutating func fullyConnected(_ name: String, outputs: Int? = nil) throws {
        let outputs = outputs ?? Int.random(in: 1...12, using: &rng)
        let fanIn = builder.shape(of: x).elementCount
        var p = layer(outputs: outputs, fanIn: fanIn)
        let format = weightFormat(&p, fanIn: fanIn)
        x = try builder.fullyConnected(x, name: name, weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                                       outputCount: outputs, output: p.output, activation: activation(), format: format)
    }

    /// Half the layers keep dense weights; the others are stored index-sparse or bitmap (some
    /// with long zero runs, which need escapes) or N:M with a random pattern, the weights pruned
    /// to it along each output's PyTorch-order reduction.
    private mutating func weightFormat(_ p: inout RandomLayer, fanIn: Int) -> WeightFormat {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5:
            return .dense
        case 5..<8:
            if Bool.random(using: &rng) {
                let keep = rng.logUniform(0.02...0.5)
                p.weights = p.weights.map { Double(rng.next() >> 11) / Double(1 << 53) < keep ? $0 : 0 }
            }
            return Bool.random(using: &rng) ? .indexSparse : .bitmap
        default:
            let m = [2, 3, 4, 4, 4, 5, 8, 16].randomElement(using: &rng)!
            let n = Int.random(in: 1..<m, using: &rng)
            p.weights = RandomLayer.pruned(p.weights, fanIn: fanIn, n: n, m: m)
            return .nm(n: n, m: m)
        }
    }

    private mutating func layer(outputs: Int, fanIn: Int) -> RandomLayer {
        // Mostly typical output scales; sometimes extreme ones, down to multipliers that
        // flush to zero and up to multipliers above 1 (positive shifts).
        let spread: Double
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: spread = rng.logUniform(1e-5...0.01)
        case 1: spread = rng.logUniform(100...1e12)
        default: spread = rng.logUniform(0.1...10)
        }
        let style = RandomLayer.WeightStyle.allCases.randomElement(using: &rng)!
        return RandomLayer(outputs: outputs, fanIn: fanIn, inputScale: builder.quant(of: x).scale,
                           style: style, spread: spread, using: &rng)
    }

    /// A window that fits the current input: kernel up to `maxKernel`, stride 1–3, each
    /// padding below the kernel size.
    private mutating func window(maxKernel: Int) -> Window2D {
        let shape = builder.shape(of: x)
        while true {
            let kh = Int.random(in: 1...maxKernel, using: &rng), kw = Int.random(in: 1...maxKernel, using: &rng)
            let w = Window2D(kernelHeight: kh, kernelWidth: kw,
                             strideHeight: Int.random(in: 1...3, using: &rng), strideWidth: Int.random(in: 1...3, using: &rng),
                             padTop: Int.random(in: 0..<kh, using: &rng), padLeft: Int.random(in: 0..<kw, using: &rng),
                             padBottom: Int.random(in: 0..<kh, using: &rng), padRight: Int.random(in: 0..<kw, using: &rng))
            if w.outputSize(height: shape.height, width: shape.width) != nil { return w }
        }
    }

    private mutating func activation() -> FusedActivation {
        FusedActivation.allCases.randomElement(using: &rng)!
    }
}
