import WhittleNN
import WhittleTensor

/// Accuracy as one layer alone is pruned to increasing sparsity (one shot, no fine-tuning).
public struct SensitivityCurve: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var sparsity: Double
        public var accuracy: Double
        public init(sparsity: Double, accuracy: Double) { self.sparsity = sparsity; self.accuracy = accuracy }
    }

    public var layer: String
    /// Weights the layer holds (its share of the total sparsity).
    public var weights: Int
    /// Sparsity 0 (the unpruned model) first, then the scanned sparsities that keep at least
    /// one group, in increasing order.
    public var points: [Point]

    public init(layer: String, weights: Int, points: [Point]) { self.layer = layer; self.weights = weights; self.points = points }
}

/// Sensitivity analysis (Han et al. 2015): prune each layer alone, see how much accuracy it
/// costs, and give the robust layers the larger ratios.
public enum SensitivityScan {
    /// Scans every layer in `layers` at every sparsity; the model is left as it was.
    /// `scores` gives element scores for the model's current weights.
    public static func run(_ graph: Graph, layers: [String], sparsities: [Double], granularity: PruneGranularity,
                           rootMean: Bool, masks: [String: Tensor], scores: () throws -> [String: [Float]],
                           evaluate: (Graph) -> Double, progress: ((Double) -> Void)? = nil) throws -> [SensitivityCurve] {
        let snapshot = graph.namedParameters.map { ($0.parameter, $0.parameter.value) }
        defer { for (p, v) in snapshot { p.value = v } }
        let baseline = evaluate(graph)
        let elementScores = try scores()
        var curves: [SensitivityCurve] = []
        let grid = sparsities.sorted()
        for (li, name) in layers.enumerated() {
            let pruner = try Pruner(graph: graph, masks: masks)
            guard let layer = pruner.layer(named: name) else { throw PruneError("layer '\(name)': not a conv2d or linear layer of the model") }
            var points = [SensitivityCurve.Point(sparsity: 0, accuracy: baseline)]
            for (si, s) in grid.enumerated() where s > 0 {
                let trial = try Pruner(graph: graph, masks: masks)
                do { try trial.prune(.local([name: s]), granularity: granularity, scores: elementScores, rootMean: rootMean) } catch is PruneError { break }
                points.append(.init(sparsity: s, accuracy: evaluate(graph)))
                for (p, v) in snapshot { p.value = v }
                progress?((Double(li) + Double(si + 1) / Double(grid.count)) / Double(layers.count))
            }
            curves.append(SensitivityCurve(layer: name, weights: layer.weightCount, points: points))
        }
        return curves
    }

    /// Per-layer sparsities that remove `target` of all the curves' weights with the least summed
    /// accuracy loss, as the curves predict it.
    ///
    /// Each curve's loss (baseline − accuracy) is made non-decreasing in sparsity; an exact
    /// knapsack over the scanned points (states bucketed to 1/10,000 of the weights) picks the
    /// cheapest combination that reaches the target; then the layers whose last step cost the
    /// most per weight give back the overshoot, interpolating between scanned points, so the
    /// total hits the target.
    public static func choose(_ curves: [SensitivityCurve], target: Double) throws -> [String: Double] {
        let total = Double(curves.reduce(0) { $0 + $1.weights })
        let goal = target * total
        // Monotone loss per point.
        let losses: [[Double]] = curves.map { c in
            var worst = 0.0
            return c.points.map { p in worst = max(worst, c.points[0].accuracy - p.accuracy); return worst }
        }
        struct State { var pruned: Double; var loss: Double; var picks: [Int] }
        var states = [State(pruned: 0, loss: 0, picks: [])]
        for (ci, c) in curves.enumerated() {
            var next: [Int: State] = [:]
            for s in states {
                for (pi, p) in c.points.enumerated() {
                    let candidate = State(pruned: s.pruned + p.sparsity * Double(c.weights), loss: s.loss + losses[ci][pi], picks: s.picks + [pi])
                    let bucket = Int((candidate.pruned / max(total, 1) * 10_000).rounded(.down))
                    if let old = next[bucket], (old.loss, -old.pruned) <= (candidate.loss, -candidate.pruned) { continue }
                    next[bucket] = candidate
                }
            }
            // Keep the Pareto front: more pruned must cost more.
            var front: [State] = []
            for s in next.values.sorted(by: { ($0.pruned, -$0.loss) > ($1.pruned, -$1.loss) }) where s.loss < (front.last?.loss ?? .infinity) {
                front.append(s)
            }
            states = front
        }
        guard let best = states.filter({ $0.pruned >= goal - 1e-9 }).min(by: { ($0.loss, -$0.pruned) < ($1.loss, -$1.pruned) }) else {
            let reach = (states.map(\.pruned).max() ?? 0) / max(total, 1)
            throw PruneError("sensitivity target \(target) is out of reach: the scanned sparsities remove at most \(PruneFormat.ratio(reach)) of the weights")
        }
        var ratios = Dictionary(uniqueKeysWithValues: curves.enumerated().map { ($1.layer, $1.points[best.picks[$0]].sparsity) })
        // Give back the overshoot, most expensive last steps first.
        var excess = best.pruned - goal
        let steps = curves.indices.filter { best.picks[$0] > 0 }.map { ci -> (Int, Double) in
            let j = best.picks[ci], c = curves[ci]
            let cost = (losses[ci][j] - losses[ci][j - 1]) / ((c.points[j].sparsity - c.points[j - 1].sparsity) * Double(c.weights))
            return (ci, cost)
        }.sorted { ($0.1, $0.0) > ($1.1, $1.0) }
        for (ci, _) in steps where excess > 0 {
            let c = curves[ci], j = best.picks[ci]
            let back = min(excess / Double(c.weights), c.points[j].sparsity - c.points[j - 1].sparsity)
            ratios[c.layer]! -= back
            excess -= back * Double(c.weights)
        }
        return ratios
    }
}

/// Number formatting shared by pruning messages.
enum PruneFormat {
    /// Four decimals, rounded down (so a suggested upper bound stays valid), trailing zeros dropped.
    static func ratio(_ x: Double) -> String {
        var s = String(format: "%.4f", (x * 10_000).rounded(.down) / 10_000)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
