/// The spec's `prune` section: what to prune, by which score, how much, and how to recover.
///
/// ```json
/// "prune": {
///   "criterion": "l1", "granularity": "element", "scope": "local",
///   "sparsity": {"conv1": 0.85, "conv2": 0.8, "fc1": 0.75, "fc2": 0.7, "fc3": 0.8},
///   "schedule": {"type": "one_shot"},
///   "fine_tune": {"epochs": 5, "optimizer": {"type": "sgd", "lr": 0.01, "momentum": 0.5}}
/// }
/// ```
/// Only the weights of conv2d and linear layers are pruned (biases are not, as in PyTorch's
/// `torch.nn.utils.prune`), except that removing a whole filter also removes its bias and the
/// BatchNorm entries after it. A layer's sparsity of s removes round(s·count) weights or groups
/// (PyTorch's rounding, ties to even).
public struct PruneSpec: Codable, Equatable, Sendable {
    public var criterion: PruneCriterion = .l1
    public var granularity: PruneGranularity = .element
    public var scope: PruneScope = .local
    /// One ratio for every pruned layer, or one per layer. Absent with N:M (the pattern fixes
    /// it) and with `sensitivity` (the scan chooses it).
    public var sparsity: SparsityTarget?
    /// Layers to prune (default: every conv2d and linear the granularity applies to).
    public var layers: [String]?
    public var sensitivity: SensitivitySpec?
    public var schedule: PruneScheduleSpec = .oneShot
    /// Training after (and, for gradual schedules, during) pruning; nil: no fine-tuning.
    public var fineTune: TrainSpec?
    /// Batches whose gradients score the `gradient` and `obd` criteria.
    public var scoreBatches: Int = 20
    public var slimming: SlimmingSpec?
    /// Channel and filter pruning: physically remove the pruned channels (a smaller dense model).
    public var surgery: Bool = true
    /// Save the masks with the checkpoint (`conv1.weight_mask`); false makes the pruning permanent.
    public var keepMasks: Bool = true

    enum CodingKeys: String, CodingKey, CaseIterable {
        case criterion, granularity, scope, sparsity, layers, sensitivity, schedule, slimming, surgery
        case fineTune = "fine_tune", scoreBatches = "score_batches", keepMasks = "keep_masks"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "prune")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        criterion = try c.decodeIfPresent(PruneCriterion.self, forKey: .criterion) ?? .l1
        granularity = try c.decodeIfPresent(PruneGranularity.self, forKey: .granularity) ?? .element
        scope = try c.decodeIfPresent(PruneScope.self, forKey: .scope) ?? .local
        sparsity = try c.decodeIfPresent(SparsityTarget.self, forKey: .sparsity)
        layers = try c.decodeIfPresent([String].self, forKey: .layers)
        sensitivity = try c.decodeIfPresent(SensitivitySpec.self, forKey: .sensitivity)
        schedule = try c.decodeIfPresent(PruneScheduleSpec.self, forKey: .schedule) ?? .oneShot
        fineTune = try c.decodeIfPresent(TrainSpec.self, forKey: .fineTune)
        scoreBatches = try c.decodeIfPresent(Int.self, forKey: .scoreBatches) ?? 20
        slimming = try c.decodeIfPresent(SlimmingSpec.self, forKey: .slimming)
        surgery = try c.decodeIfPresent(Bool.self, forKey: .surgery) ?? true
        keepMasks = try c.decodeIfPresent(Bool.self, forKey: .keepMasks) ?? true
    }

    /// Checks the section against the spec's layers (name and type, in order).
    func validate(layers model: [(name: String, type: LayerSpec.Kind)], _ fail: (String, String) -> SpecError) throws {
        let prunable = model.filter { $0.type == .conv2d || $0.type == .linear }.map(\.name)
        func check(_ name: String, _ field: String) throws {
            guard let layer = model.first(where: { $0.name == name }) else {
                throw fail(field, "no layer '\(name)' in the spec (prunable layers: \(prunable.joined(separator: ", ")))")
            }
            guard prunable.contains(name) else {
                throw fail(field, "'\(name)' is a \(layer.type.rawValue) layer; only conv2d and linear layers have weights to prune")
            }
        }
        func ratio(_ s: Double, _ field: String) throws {
            guard s >= 0, s < 1 else { throw fail(field, "sparsity must be in [0, 1), got \(s)") }
        }
        for (i, name) in (layers ?? []).enumerated() { try check(name, "layers[\(i)]") }
        switch sparsity {
        case .uniform(let s)?: try ratio(s, "sparsity")
        case .perLayer(let d)?:
            guard !d.isEmpty else { throw fail("sparsity", "the per-layer dictionary is empty") }
            for (name, s) in d.sorted(by: { $0.key < $1.key }) { try check(name, "sparsity.\(name)"); try ratio(s, "sparsity.\(name)") }
            if layers != nil { throw fail("layers", "give the layers either here or as the keys of a per-layer sparsity, not both") }
        case nil: break
        }
        if case .nm = granularity {
            if sparsity != nil { throw fail("sparsity", "an N:M pattern fixes the sparsity at 1 − N/M; remove this field") }
            if sensitivity != nil { throw fail("sensitivity", "an N:M pattern fixes the sparsity; a sensitivity scan has nothing to choose") }
            if scope == .global { throw fail("scope", "an N:M pattern is chosen within each group of M; it has no global threshold") }
            if schedule != .oneShot { throw fail("schedule", "an N:M pattern is applied in one shot") }
        } else if sparsity == nil && sensitivity == nil {
            throw fail("sparsity", "required: a number in [0, 1), a per-layer dictionary, or a 'sensitivity' scan instead")
        }
        if sparsity != nil && sensitivity != nil { throw fail("sensitivity", "give either 'sparsity' or 'sensitivity', not both") }
        if scope == .global {
            if case .perLayer? = sparsity { throw fail("scope", "a global threshold takes one sparsity for all layers, not a per-layer dictionary") }
            if sensitivity != nil { throw fail("scope", "a sensitivity scan chooses per-layer ratios; use scope local") }
        }
        if criterion == .bnScaling && granularity != .filter {
            throw fail("criterion", "bn_scaling scores whole channels by their BatchNorm γ; use granularity \"filter\"")
        }
        if slimming != nil && criterion != .bnScaling { throw fail("slimming", "network slimming needs criterion \"bn_scaling\"") }
        guard scoreBatches > 0 else { throw fail("score_batches", "must be at least 1") }
        if let s = sensitivity { try s.validate { fail("sensitivity.\($0)", $1) } }
        if let t = fineTune { try t.validate { fail("fine_tune.\($0)", $1) } }
        if let s = slimming { try s.validate { fail("slimming.\($0)", $1) } }
        if case .cubic(let initial, let steps, let epochs) = schedule {
            guard initial >= 0, initial < 1 else { throw fail("schedule.initial", "must be in [0, 1), got \(initial)") }
            guard steps >= 1 else { throw fail("schedule.steps", "must be at least 1") }
            guard epochs >= 1 else { throw fail("schedule.epochs", "must be at least 1") }
            guard let ft = fineTune, ft.epochs >= epochs else {
                throw fail("schedule.epochs", "a gradual schedule prunes during fine-tuning: fine_tune.epochs must be at least \(epochs)")
            }
        }
    }
}

/// How weights are scored: the smallest scores are pruned.
public enum PruneCriterion: String, Codable, CaseIterable, Sendable {
    /// |w| (a group: the mean of |w|).
    case l1
    /// w² (a group: the root mean square of w, i.e. its L2 norm up to the group size).
    case l2
    /// The mean over `score_batches` batches of |∂L/∂w|.
    case gradient
    /// Optimal Brain Damage saliency ½·h_ii·w², with h_ii the diagonal empirical Fisher: the mean
    /// over `score_batches` batches of the squared batch gradient (∂L/∂w)².
    case obd
    /// Network slimming: a filter scores the |γ| of the BatchNorm that follows it.
    case bnScaling = "bn_scaling"
}

public enum PruneScope: String, Codable, Sendable {
    /// Each layer keeps its own ratio.
    case local
    /// One threshold over all pruned layers' scores, removing the sparsity's share of all their
    /// groups together (weights for element pruning, channels for filter pruning).
    case global
}

/// Which weights are pruned together. Shapes are PyTorch's: conv [out, in, kh, kw], linear
/// [out, in] (a linear layer is a 1×1 convolution, so its vectors and kernels are single weights).
public enum PruneGranularity: Equatable, Sendable, Codable, CustomStringConvertible {
    /// Single weights.
    case element
    /// One row of a kernel: w[o, i, r, :].
    case vector
    /// One kernel: w[o, i, :, :].
    case kernel
    /// One input channel: w[:, i, :, :] (for a linear layer after flatten, the h·w features of
    /// one channel of the conv before it). Surgery also removes the filter that produces it.
    case channel
    /// One output filter: w[o, …], its bias and the BatchNorm entries after it.
    case filter
    /// At most N nonzeros in every group of M consecutive weights along each output's reduction
    /// dimension (the flattened [in, kh, kw] row); a tail shorter than M counts as a group
    /// padded with zeros, so it keeps min(N, length) weights.
    case nm(n: Int, m: Int)

    public var description: String {
        switch self {
        case .element: return "element"
        case .vector: return "vector"
        case .kernel: return "kernel"
        case .channel: return "channel"
        case .filter: return "filter"
        case .nm(let n, let m): return "\(n):\(m)"
        }
    }

    /// Channel and filter pruning change the architecture (and allow surgery).
    public var isStructured: Bool { self == .channel || self == .filter }

    /// Parses "element", "vector", "kernel", "channel", "filter" or "N:M" (e.g. "2:4").
    public init(parsing text: String) throws {
        switch text {
        case "element": self = .element
        case "vector": self = .vector
        case "kernel": self = .kernel
        case "channel": self = .channel
        case "filter": self = .filter
        default:
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let n = Int(parts[0]), let m = Int(parts[1]) else {
                throw SpecError("unknown granularity '\(text)' (element, vector, kernel, channel, filter, or N:M such as \"2:4\")")
            }
            guard m >= 2, n >= 1, n < m else {
                throw SpecError("N:M needs M ≥ 2 and 1 ≤ N < M, got \(text)")
            }
            self = .nm(n: n, m: m)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(parsing: text) } catch let e as SpecError {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: e.description)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// `"sparsity": 0.8` or `"sparsity": {"conv1": 0.85, "fc1": 0.75}`.
public enum SparsityTarget: Equatable, Sendable, Codable {
    case uniform(Double)
    case perLayer([String: Double])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .uniform(v); return }
        guard let d = try? c.decode([String: Double].self) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number in [0, 1) or an object {\"layer\": sparsity}")
        }
        self = .perLayer(d)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .uniform(let v): try c.encode(v)
        case .perLayer(let d): try c.encode(d)
        }
    }
}

/// Per-layer ratios chosen by a sensitivity scan: each layer alone is pruned to each of
/// `sparsities` and evaluated on `samples` held-out training images (the last ones of the
/// training split); then the ratios that reach `target` total sparsity with the least summed
/// accuracy loss are chosen.
public struct SensitivitySpec: Codable, Equatable, Sendable {
    public var target: Double
    public var sparsities: [Double] = SensitivitySpec.defaultSparsities
    public var samples: Int = 5000

    public static let defaultSparsities: [Double] = (1...19).map { Double($0) * 0.05 }

    enum CodingKeys: String, CodingKey, CaseIterable { case target, sparsities, samples }

    public init(target: Double) { self.target = target }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "prune.sensitivity")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decode(Double.self, forKey: .target)
        sparsities = try c.decodeIfPresent([Double].self, forKey: .sparsities) ?? Self.defaultSparsities
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 5000
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard target >= 0, target < 1 else { throw fail("target", "sparsity must be in [0, 1), got \(target)") }
        guard !sparsities.isEmpty else { throw fail("sparsities", "needs at least one sparsity to scan") }
        if let bad = sparsities.first(where: { !($0 >= 0 && $0 < 1) }) { throw fail("sparsities", "sparsity must be in [0, 1), got \(bad)") }
        guard samples > 0 else { throw fail("samples", "must be at least 1 image") }
    }
}

/// When pruning happens.
public enum PruneScheduleSpec: Equatable, Sendable, Codable {
    /// Prune to the final ratios at once, then fine-tune.
    case oneShot
    /// Zhu & Gupta's gradual schedule: `steps` pruning events spread evenly over the first
    /// `epochs` fine-tuning epochs; event k of n prunes to s_f + (s_i − s_f)·(1 − k/n)³.
    case cubic(initial: Double, steps: Int, epochs: Int)

    enum CodingKeys: String, CodingKey, CaseIterable { case type, initial, steps, epochs }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "one_shot":
            try decoder.rejectUnknownKeys(["type"], in: "a one_shot schedule")
            self = .oneShot
        case "cubic":
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "a cubic schedule")
            self = .cubic(initial: try c.decodeIfPresent(Double.self, forKey: .initial) ?? 0,
                          steps: try c.decodeIfPresent(Int.self, forKey: .steps) ?? 10,
                          epochs: try c.decodeIfPresent(Int.self, forKey: .epochs) ?? 1)
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown schedule '\(type)' (one_shot, cubic)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .oneShot: try c.encode("one_shot", forKey: .type)
        case .cubic(let initial, let steps, let epochs):
            try c.encode("cubic", forKey: .type)
            try c.encode(initial, forKey: .initial); try c.encode(steps, forKey: .steps); try c.encode(epochs, forKey: .epochs)
        }
    }
}

/// Network slimming's sparsity training (Liu et al. 2017): before pruning, train with an L1
/// penalty λ·Σ|γ| on every BatchNorm scale, so unimportant channels get γ near 0.
///
///
/// Plain L1 shrinks every γ of a layer together when the next layer can compensate the scale
/// (as it can in LeNet), so the γs do not separate. `polarization: t` uses instead the
/// polarization regularizer of Zhuang et al. (2020), λ·(t·Σ|γ| − Σ|γ − γ̄|) per BatchNorm (γ̄
/// its mean γ): channels below the mean are pushed to 0 with strength t + 1, those above it
/// only with t − 1, so the γs split into a group near 0 and a group that stays.
public struct SlimmingSpec: Codable, Equatable, Sendable {
    public var penalty: Double
    public var polarization: Double?
    public var train: TrainSpec = TrainSpec()

    enum CodingKeys: String, CodingKey, CaseIterable { case penalty, polarization, train }

    public init(penalty: Double) { self.penalty = penalty }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "prune.slimming")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        penalty = try c.decode(Double.self, forKey: .penalty)
        polarization = try c.decodeIfPresent(Double.self, forKey: .polarization)
        train = try c.decodeIfPresent(TrainSpec.self, forKey: .train) ?? TrainSpec()
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard penalty > 0, penalty.isFinite else { throw fail("penalty", "must be a positive number, got \(penalty)") }
        if let t = polarization, !(t > 0 && t.isFinite) { throw fail("polarization", "must be a positive number, got \(t)") }
        try train.validate { fail("train.\($0)", $1) }
    }
}
