/// One draw of `SampleGraphs.random`: picks ops one after another, each fitting the shape the
/// previous one produced.
struct RandomGraphDraw {
    private var rng: SeededGenerator
    private var builder: QGraphBuilder
    private var x: QGraphBuilder.TensorRef

    init(seed: UInt64) {
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
        for step in 0..<steps {
            let name = "op\(step)"
            let shape = builder.shape(of: x)
            let spatial = shape.height > 1 || shape.width > 1
            switch Int.random(in: 0..<20, using: &rng) {
            case 0..<9 where spatial || Bool.random(using: &rng):
                try conv(name)
            case 9..<12:
                x = try builder.maxPool(x, name: name, window: window(maxKernel: 3), activation: activation())
            case 12..<15:
                x = try builder.averagePool(x, name: name, window: window(maxKernel: 3), activation: activation())
            default:
                if spatial && Bool.random(using: &rng) { x = try builder.flatten(x, name: name + "_flatten") }
                try fullyConnected(name)
            }
        }
        return try builder.finish(output: x)
    }

    private mutating func conv(_ name: String) throws {
        let inChannels = builder.shape(of: x).channels
        var groups = 1, outChannels = Int.random(in: 1...8, using: &rng)
        switch Int.random(in: 0..<4, using: &rng) {
        case 0 where inChannels > 1: // depthwise, multiplier 1 or 2
            groups = inChannels
            outChannels = inChannels * Int.random(in: 1...2, using: &rng)
        case 1:
            groups = (1...inChannels).filter { inChannels % $0 == 0 }.randomElement(using: &rng)!
            outChannels = groups * Int.random(in: 1...3, using: &rng)
        default:
            break
        }
        let w = window(maxKernel: 4)
        let fanIn = w.kernelHeight * w.kernelWidth * (inChannels / groups)
        var p = layer(outputs: outChannels, fanIn: fanIn)
        let format = weightFormat(&p, fanIn: fanIn)
        x = try builder.conv2d(x, name: name, weights: p.weights, weightScales: p.weightScales, bias: p.bias,
                               outputChannels: outChannels, window: w, groups: groups, output: p.output,
                               activation: activation(), format: format)
    }

    private mutating func fullyConnected(_ name: String) throws {
        let outputs = Int.random(in: 1...12, using: &rng)
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
