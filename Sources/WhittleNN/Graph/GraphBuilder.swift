import WhittleTensor

extension Spec {
    /// Builds the float model the spec describes, initialised from `seed` (PyTorch's default
    /// initialisation). Shapes are inferred layer by layer; a mismatch names the layer.
    public func buildGraph(seed: UInt64? = nil, file: String? = nil) throws -> Graph {
        let where_ = file ?? (path.isEmpty ? "spec '\(name)'" : path)
        let root = RNG(seed: seed ?? train.seed)
        var initRNG = root.derived("init")
        let graph = Graph(inputShape: input)
        var seen = Set<String>()
        for (i, layer) in layers.enumerated() {
            let name = layer.name ?? "\(layer.type.rawValue)\(i)"
            guard seen.insert(name).inserted else { throw SpecError("\(where_): layers[\(i)]: duplicate layer name '\(name)'") }
            // Training reads the logits before a final softmax (see `Graph.logitsIndex`); anywhere else it has no integer lowering.
            guard layer.type != .softmax || i == layers.count - 1 else {
                throw SpecError("\(where_): layers[\(i)] '\(name)' (softmax): softmax is allowed only as the last layer")
            }
            let producers: [Int]? = try layer.inputs.map { names in
                try names.map { n in
                    if n == "input" { return Graph.input }
                    guard let idx = graph.index(of: n) else {
                        throw SpecError("\(where_): layers[\(i)] '\(name)': input '\(n)' is not an earlier layer")
                    }
                    return idx
                }
            }
            let inShape = producers?.first.map { $0 == Graph.input ? input : graph.nodes[$0].outputShape } ?? graph.outputShape
            do {
                let op = try makeOp(layer, inputShape: inShape, rng: &initRNG, dropoutRNG: root.derived("dropout.\(name)"))
                try graph.append(name, op, inputs: producers)
            } catch let e as GraphError {
                throw SpecError("\(where_): \(e.description)")
            } catch let e as ShapeError {
                throw SpecError("\(where_): layer '\(name)' (\(layer.type.rawValue)): \(e.description)")
            }
        }
        return graph
    }

    private func makeOp(_ s: LayerSpec, inputShape: [Int], rng: inout RNG, dropoutRNG: RNG) throws -> Graph.Op {
        func need<T>(_ v: T?, _ field: String) throws -> T {
            guard let v else { throw ShapeError("missing '\(field)'") }
            return v
        }
        func positive(_ v: Int, _ field: String) throws -> Int {
            guard v > 0 else { throw ShapeError("'\(field)' must be positive, got \(v)") }
            return try bounded(v, field)
        }
        func bounded(_ v: Int, _ field: String) throws -> Int {
            do { return try Graph.dimensionLimit.check(v, of: "'\(field)'") } catch { throw ShapeError("\(error)") }
        }
        func weights(_ shape: [Int]) throws {
            do { _ = try Graph.parameterLimit.product(shape, of: "weight \(shape)") } catch { throw ShapeError("\(error)") }
        }
        /// Checks a sliding window's input, kernel and stride, and resolves its padding for this input.
        func padding(kernel k: IntPair, stride st: IntPair) throws -> Padding2D {
            guard inputShape.count == 3 else { throw ShapeError("expects a [channels, height, width] input, got shape \(inputShape)") }
            for v in [k.first, k.second] { _ = try positive(v, "kernel") }
            for v in [st.first, st.second] { _ = try positive(v, "stride") }
            if case .explicit(let p) = s.padding {
                for v in [p.first, p.second] {
                    guard v >= 0 else { throw ShapeError("'padding' must be 0 or more, got \(v)") }
                    _ = try bounded(v, "padding")
                }
            }
            return (s.padding ?? .valid).resolve(height: inputShape[1], width: inputShape[2], kernel: k, stride: st)
        }
        switch s.type {
        case .conv2d:
            let k = try need(s.kernel, "kernel"), st = s.stride ?? IntPair(1)
            let pad = try padding(kernel: k, stride: st)
            let inC = try positive(s.inChannels ?? inputShape[0], "in_channels")
            let out = try positive(try need(s.outChannels, "out_channels"), "out_channels")
            let groups = try positive(s.groups ?? 1, "groups")
            guard inC % groups == 0, out % groups == 0 else {
                throw ShapeError("groups \(groups) must divide in_channels \(inC) and out_channels \(out)")
            }
            try weights([out, inC / groups, k.first, k.second])
            return .layer(Conv2d(inChannels: inC, outChannels: out, kernel: (k.first, k.second), stride: (st.first, st.second),
                                 padding: pad, groups: groups, bias: s.bias ?? true, rng: &rng))
        case .linear:
            let inF = try positive(s.inFeatures ?? inputShape.reduce(1, *), "in_features")
            let out = try positive(try need(s.outFeatures, "out_features"), "out_features")
            try weights([out, inF])
            return .layer(Linear(inFeatures: inF, outFeatures: out, bias: s.bias ?? true, rng: &rng))
        case .maxpool2d, .avgpool2d:
            let k = try need(s.kernel, "kernel"), st = s.stride ?? k
            let window = PoolWindow(kernel: (k.first, k.second), stride: (st.first, st.second), padding: try padding(kernel: k, stride: st))
            return .layer(s.type == .maxpool2d ? MaxPool2d(window) as Layer : AvgPool2d(window))
        case .globalAvgpool: return .layer(AvgPool2d(global: ()))
        case .batchnorm1d, .batchnorm2d:
            let eps = s.eps ?? 1e-5, momentum = s.momentum ?? 0.1
            guard eps > 0, eps.isFinite else { throw ShapeError("'eps' must be a positive number, got \(eps)") }
            guard momentum >= 0, momentum <= 1 else { throw ShapeError("'momentum' must be in [0, 1], got \(momentum)") }
            return .layer(BatchNorm(channels: inputShape.first ?? 0, spatial: s.type == .batchnorm2d,
                                    eps: Float(eps), momentum: Float(momentum)))
        case .relu: return .layer(ClampActivation.relu())
        case .relu6: return .layer(ClampActivation.relu6())
        case .flatten: return .layer(Flatten())
        case .dropout:
            let p = s.p ?? 0.5
            guard p >= 0, p < 1 else { throw ShapeError("'p' must be in [0, 1), got \(p)") }
            return .layer(Dropout(p: Float(p), rng: dropoutRNG))
        case .softmax: return .layer(Softmax())
        case .add:
            guard (s.inputs?.count ?? 0) >= 2 else { throw ShapeError("'inputs' must name two or more layers") }
            return .add
        }
    }
}
