import WhittleNN
import WhittleTensor

/// What a pruning run produced and measured.
public struct PruneOutcome {
    /// The pruned model: after surgery a smaller dense graph, else the input graph with zeros.
    public var graph: Graph
    /// Masks to save with the checkpoint (empty when the pruning was made permanent).
    public var masks: [String: Tensor]
    /// The pruned layers and the sparsity each was asked for (for N:M, 1 − N/M).
    public var ratios: [(layer: String, sparsity: Double)]
    /// The model before pruning (after slimming, if any).
    public var before: ModelSummary
    public var layersBefore: [LayerSparsity]
    /// Weights of the pruned layers before pruning, for before/after histograms.
    public var weightsBefore: [String: [Float]]
    public var accuracyBefore: Double
    /// Right after (the first step of) pruning, before fine-tuning.
    public var accuracyPruned: Double
    public var accuracyAfter: Double
    public var fineTuning: [EpochReport]
    public var slimming: SlimmingOutcome?
    public var sensitivity: [SensitivityCurve]
    /// Layers that lost outputs in surgery, with the original indices they kept.
    public var keptOutputs: [String: [Int]]
    /// The total epochs of training the run did (slimming + fine-tuning), for a fair dense control.
    public var epochs: Int
}

/// Network slimming's sparsity training, before and after.
public struct SlimmingOutcome {
    public var gammasBefore: [(layer: String, values: [Float])]
    public var gammasAfter: [(layer: String, values: [Float])]
    /// The channels pruning removed, by BatchNorm name (filled in once pruning has run).
    public var pruned: [String: [Int]] = [:]
    public var accuracy: Double
    public var epochs: [EpochReport]
}

/// Carries out a spec's `prune` section on a trained model: optional slimming training, ratios
/// (given or from a sensitivity scan), scoring, one-shot or gradual pruning with fine-tuning
/// (masks held), then surgery for channel and filter pruning.
public struct PruneRun {
    public var spec: PruneSpec
    /// Names the spec file in errors ("lenet.json: prune: layer 'conv1': …").
    public var file: String
    public var progress: ProgressLine?

    public init(_ spec: PruneSpec, file: String) {
        self.spec = spec
        self.file = file
    }

    /// The layers the spec prunes: `layers`, else the per-layer dictionary's keys, else every
    /// conv2d and linear layer the granularity applies to (see `ChannelSpaces`): for filters,
    /// those whose output channels can be removed (for bn_scaling, with a BatchNorm on them);
    /// for channels, those whose input channels can be removed (not depthwise convs).
    public func targetLayers(_ graph: Graph) -> [String] {
        let spaces = ChannelSpaces(graph)
        let all = PrunableLayer.all(in: graph, spaces: spaces)
        if let names = spec.layers { return all.map(\.name).filter(names.contains) }
        if case .perLayer(let d)? = spec.sparsity { return all.map(\.name).filter(d.keys.contains) }
        return all.filter { layer in
            switch spec.granularity {
            case .filter:
                return spaces.whyOutputsFixed(layer.node) == nil && (spec.criterion != .bnScaling || !layer.batchNorms.isEmpty)
            case .channel: return spaces.whyInputsFixed(layer.node) == nil && !layer.isDepthwise
            default: return true
            }
        }.map(\.name)
    }

    public func run(_ graph: Graph, masks: [String: Tensor] = [:], train: Dataset, test: Dataset) throws -> PruneOutcome {
        do { return try runUnchecked(graph, masks: masks, train: train, test: test) } catch let e as PruneError {
            throw PruneError("\(file): prune: \(e.description)")
        }
    }

    private func runUnchecked(_ graph: Graph, masks: [String: Tensor], train: Dataset, test: Dataset) throws -> PruneOutcome {
        let names = targetLayers(graph)
        guard !names.isEmpty else { throw PruneError("no layer to prune") }
        if spec.granularity.isStructured && spec.surgery {
            try StructuredSurgery.check(graph, layers: names, granularity: spec.granularity)
        }
        let accuracyBefore = Evaluator.evaluate(graph, on: test, progress: progress).accuracy
        var epochs = 0

        // Network slimming: sparsity training with an L1 penalty on the BatchNorm scales.
        var slimming: SlimmingOutcome?
        if let s = spec.slimming {
            let before = NetworkSlimming.gammas(graph)
            let trainer = Trainer(graph: graph, recipe: s.train)
            trainer.progress = progress
            trainer.label = "slimming"
            try Pruner(graph: graph, masks: masks).attach(to: trainer)
            NetworkSlimming(penalty: Float(s.penalty), polarization: s.polarization.map(Float.init)).attach(to: trainer)
            let reports = try trainer.fit(train: train, test: test)
            epochs += s.train.epochs
            slimming = SlimmingOutcome(gammasBefore: before, gammasAfter: NetworkSlimming.gammas(graph),
                                       accuracy: Evaluator.evaluate(graph, on: test, progress: progress).accuracy, epochs: reports)
        }

        let before = ModelSummary(graph), layersBefore = LayerSparsity.measure(graph)
        let pruner = try Pruner(graph: graph, masks: masks)
        let targets = names.compactMap(pruner.layer(named:))
        let scored = pruner.layersScored(for: names, granularity: spec.granularity)
        let weightsBefore = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0.weight.value.storage) })
        let rootMean = PruneScores.groupsUseRootMean(spec.criterion)
        let batchSize = spec.fineTune?.batchSize ?? 64
        func scores(_ stats: GradientStatistics?) throws -> [String: [Float]] {
            var stats = stats
            if PruneScores.needsGradients(spec.criterion) && (stats?.batches ?? 0) == 0 {
                stats = GradientStatistics.collect(graph, layers: scored, data: train, batches: spec.scoreBatches,
                                                   batchSize: batchSize, seed: spec.fineTune?.seed ?? 0)
            }
            return try PruneScores.compute(spec.criterion, layers: scored, gradients: stats)
        }

        // Ratios: given, fixed by the N:M pattern, or chosen by a sensitivity scan.
        var curves: [SensitivityCurve] = []
        var ratios: [String: Double]
        switch spec.sparsity {
        case .uniform(let s)?: ratios = Dictionary(uniqueKeysWithValues: names.map { ($0, s) })
        case .perLayer(let d)?: ratios = d
        case nil:
            if case .nm(let n, let m) = spec.granularity {
                ratios = Dictionary(uniqueKeysWithValues: names.map { ($0, 1 - Double(n) / Double(m)) })
            } else if let scan = spec.sensitivity {
                let held = train.subset(Array(max(0, train.count - scan.samples)..<train.count))
                curves = try SensitivityScan.run(graph, layers: names, sparsities: scan.sparsities, granularity: spec.granularity,
                                                 rootMean: rootMean, masks: masks, scores: { try scores(nil) },
                                                 evaluate: { Evaluator.evaluate($0, on: held).accuracy },
                                                 progress: { self.progress?.update("sensitivity scan " + ProgressLine.bar($0)) })
                ratios = try SensitivityScan.choose(curves, target: scan.target)
                if spec.granularity == .filter { ratios = Self.coupled(ratios, layers: pruner.layers) }
                progress?.finish("sensitivity scan: " + names.map { "\($0) \(PruneFormat.ratio(ratios[$0]!))" }.joined(separator: ", "))
            } else {
                throw PruneError("no sparsity given")
            }
        }
        func amount(_ fraction: (Double) -> Double) -> PruneAmount {
            if spec.scope == .global, case .uniform(let s)? = spec.sparsity { return .global(layers: names, sparsity: fraction(s)) }
            return .local(ratios.mapValues(fraction))
        }

        // Check the final amount on a copy of the weights before spending any training on it.
        let initialScores = try scores(nil)
        let snapshot = graph.namedParameters.map { ($0.parameter, $0.parameter.value) }
        try Pruner(graph: graph, masks: masks).prune(amount { $0 }, granularity: spec.granularity, scores: initialScores, rootMean: rootMean)
        for (p, v) in snapshot { p.value = v }

        var reports: [EpochReport] = []
        let accuracyPruned: Double
        switch spec.schedule {
        case .oneShot:
            try pruner.prune(amount { $0 }, granularity: spec.granularity, scores: initialScores, rootMean: rootMean)
            accuracyPruned = Evaluator.evaluate(graph, on: test, progress: progress).accuracy
            if let recipe = spec.fineTune {
                let trainer = Trainer(graph: graph, recipe: recipe)
                trainer.progress = progress
                trainer.label = "fine-tune"
                pruner.attach(to: trainer)
                reports = try trainer.fit(train: train, test: test)
            }
        case .cubic(let initial, let steps, let span):
            let recipe = spec.fineTune!   // validated: a gradual schedule needs fine-tuning
            let schedule = CubicSchedule(initial: initial, steps: steps)
            let spanBatches = span * ((train.count + recipe.batchSize - 1) / recipe.batchSize)
            try pruner.prune(amount { schedule.sparsity(event: 1, final: $0) }, granularity: spec.granularity,
                             scores: initialScores, rootMean: rootMean)
            accuracyPruned = Evaluator.evaluate(graph, on: test, progress: progress).accuracy
            let trainer = Trainer(graph: graph, recipe: recipe)
            trainer.progress = progress
            trainer.label = "fine-tune"
            var stats = GradientStatistics(), batch = 0, event = 2
            var failure: Error?
            if PruneScores.needsGradients(spec.criterion) { trainer.afterBackward.append { _ in stats.accumulate(scored) } }
            pruner.attach(to: trainer)
            trainer.afterStep.append { _ in
                batch += 1
                while event <= steps && schedule.batch(event: event, span: spanBatches) <= batch && failure == nil {
                    do {
                        try pruner.prune(amount { schedule.sparsity(event: event, final: $0) }, granularity: spec.granularity,
                                         scores: scores(stats), rootMean: rootMean)
                    } catch { failure = error }
                    stats = GradientStatistics()
                    event += 1
                }
            }
            reports = try trainer.fit(train: train, test: test)
            if let failure { throw failure }
        }
        epochs += spec.fineTune?.epochs ?? 0
        if slimming != nil {
            for node in graph.nodes where node.layer is BatchNorm {
                guard let mask = pruner.masks[node.name + ".weight"] else { continue }
                slimming!.pruned[node.name] = mask.storage.indices.filter { mask.storage[$0] == 0 }
            }
        }

        var result = graph, finalMasks = pruner.masks, kept: [String: [Int]] = [:]
        if spec.granularity.isStructured && spec.surgery {
            let cut = try StructuredSurgery.apply(graph, masks: pruner.masks)
            (result, finalMasks, kept) = (cut.graph, cut.masks, cut.keptOutputs)
        }
        if !spec.keepMasks { finalMasks = [:] }
        let nominal = names.map { ($0, ratios[$0] ?? 0) }
        return PruneOutcome(graph: result, masks: finalMasks, ratios: nominal, before: before, layersBefore: layersBefore, weightsBefore: weightsBefore,
                            accuracyBefore: accuracyBefore, accuracyPruned: accuracyPruned,
                            accuracyAfter: Evaluator.evaluate(result, on: test, progress: progress).accuracy, fineTuning: reports,
                            slimming: slimming, sensitivity: curves, keptOutputs: kept, epochs: epochs)
    }

    /// Layers that write one channel space are pruned together at one ratio: the scan prices
    /// each alone, and they take the largest ratio chosen for any of them (so the target is
    /// still reached).
    static func coupled(_ ratios: [String: Double], layers: [PrunableLayer]) -> [String: Double] {
        var largest: [Int: Double] = [:]
        for layer in layers { if let r = ratios[layer.name] { largest[layer.outputSpace] = max(largest[layer.outputSpace] ?? 0, r) } }
        var result = ratios
        for layer in layers where ratios[layer.name] != nil { result[layer.name] = largest[layer.outputSpace] }
        return result
    }

    /// The honest baseline: the same training the run does (slimming epochs without the penalty,
    /// then the fine-tuning recipe), on the unpruned model. Returns its test accuracy.
    public func trainControl(_ graph: Graph, train: Dataset, test: Dataset) throws -> Double {
        for recipe in [spec.slimming?.train, spec.fineTune].compactMap({ $0 }) {
            let trainer = Trainer(graph: graph, recipe: recipe)
            trainer.progress = progress
            trainer.label = "dense control"
            _ = try trainer.fit(train: train, test: test)
        }
        return Evaluator.evaluate(graph, on: test, progress: progress).accuracy
    }
}
