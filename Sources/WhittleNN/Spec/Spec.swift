import Foundation

/// One JSON file describing a model, its input, its data and its training recipe.
/// Later stages (prune, quantize, …) add their own sections. Unknown fields are errors.
public struct Spec: Codable, Sendable {
    public var name: String
    /// Per-sample input shape [channels, height, width] (or [features]).
    public var input: [Int]
    public var layers: [LayerSpec]
    public var data: DataSpec
    public var train: TrainSpec
    public var quantize: QuantizeSpec
    public var prune: PruneSpec?
    /// Train as the student of a teacher (`whittle distill`).
    public var distill: DistillSpec?
    /// The folder of the spec file, to resolve relative paths in it.
    public var baseDirectory: String = "."
    /// The spec file's path (errors name it), empty for a spec made in code.
    public var path: String = ""

    enum CodingKeys: String, CodingKey, CaseIterable { case name, input, layers, data, train, quantize, prune, distill }

    public init(name: String, input: [Int], layers: [LayerSpec], data: DataSpec = DataSpec(), train: TrainSpec = TrainSpec()) {
        self.name = name; self.input = input; self.layers = layers; self.data = data; self.train = train
        self.quantize = QuantizeSpec()
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "the spec")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        input = try c.decode([Int].self, forKey: .input)
        layers = try c.decode([LayerSpec].self, forKey: .layers)
        data = try c.decodeIfPresent(DataSpec.self, forKey: .data) ?? DataSpec()
        train = try c.decodeIfPresent(TrainSpec.self, forKey: .train) ?? TrainSpec()
        quantize = try c.decodeIfPresent(QuantizeSpec.self, forKey: .quantize) ?? QuantizeSpec()
        prune = try c.decodeIfPresent(PruneSpec.self, forKey: .prune)
        distill = try c.decodeIfPresent(DistillSpec.self, forKey: .distill)
    }

    /// Reads and checks a spec file; every error is one line naming the file and field.
    public static func load(_ path: String) throws -> Spec {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw SpecError("\(path): cannot read the spec file") }
        return try parse(bytes, file: path)
    }

    public static func parse(_ bytes: Data, file: String) throws -> Spec {
        var spec: Spec
        do { spec = try JSONDecoder().decode(Spec.self, from: bytes) } catch { throw SpecError(file: file, error) }
        spec.baseDirectory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        spec.path = file
        try spec.validate(file: file)
        return spec
    }

    /// Checks value ranges that JSON types cannot express.
    public func validate(file: String) throws {
        func fail(_ field: String, _ message: String) -> SpecError { SpecError("\(file): \(field): \(message)") }
        guard !input.isEmpty, input.allSatisfy({ $0 > 0 }) else { throw fail("input", "must be positive dimensions, e.g. [1, 28, 28]") }
        do { _ = try Graph.activationLimit.product(input, of: "\(input)") } catch { throw fail("input", "\(error)") }
        guard !layers.isEmpty else { throw fail("layers", "the model has no layers") }
        try train.validate { fail("train.\($0)", $1) }
        try data.validate { fail("data.\($0)", $1) }
        try quantize.validate { fail("quantize.\($0)", $1) }
        try distill?.validate { fail($0.isEmpty ? "distill" : "distill.\($0)", $1) }
        try prune?.validate(layers: layerNames) { fail("prune.\($0)", $1) }
        try validateTarget(file: file)
    }
}

extension Spec {
    /// Every layer's name (given, or the type and index: "relu1") and type, in order.
    public var layerNames: [(name: String, type: LayerSpec.Kind)] {
        layers.enumerated().map { i, layer in (layer.name ?? "\(layer.type.rawValue)\(i)", layer.type) }
    }
}

/// Where the samples come from: a folder (NumPy `.npy` files or IDX), or the built-in
/// synthetic data.
public struct DataSpec: Codable, Equatable, Sendable {
    /// A folder holding `x_train.npy`… (NumPy) or `train-images-idx3-ubyte`… (IDX); relative
    /// paths are taken from the spec file's folder.
    public var dir: String?
    /// The files' axis order; channels-last (nhwc) samples are transposed to the model's [C, H, W].
    public var layout: DataLayout = .nchw
    /// For an anomaly detector (train.target "input"): train only on these classes; `eval`
    /// scores the other classes as anomalies.
    public var normalClasses: [Int]?
    public var normalize: NormalizeSpec?
    /// Use only the first N training / test samples (quick experiments).
    public var trainLimit: Int?
    public var testLimit: Int?
    public var synthetic: SyntheticSpec?

    public struct NormalizeSpec: Codable, Equatable, Sendable {
        public var mean: Float
        public var std: Float
        enum CodingKeys: String, CodingKey, CaseIterable { case mean, std }
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "data.normalize")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mean = try c.decode(Float.self, forKey: .mean)
            std = try c.decode(Float.self, forKey: .std)
        }
    }

    public struct SyntheticSpec: Codable, Equatable, Sendable {
        public var train: Int = 12_000
        public var test: Int = 2_000
        public var seed: UInt64 = 2026
        enum CodingKeys: String, CodingKey, CaseIterable { case train, test, seed }
        public init() {}
        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "data.synthetic")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            train = try c.decodeIfPresent(Int.self, forKey: .train) ?? 12_000
            test = try c.decodeIfPresent(Int.self, forKey: .test) ?? 2_000
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 2026
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dir, normalize, synthetic, layout
        case trainLimit = "train_limit", testLimit = "test_limit", normalClasses = "normal_classes"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "data")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dir = try c.decodeIfPresent(String.self, forKey: .dir)
        normalize = try c.decodeIfPresent(NormalizeSpec.self, forKey: .normalize)
        trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
        testLimit = try c.decodeIfPresent(Int.self, forKey: .testLimit)
        synthetic = try c.decodeIfPresent(SyntheticSpec.self, forKey: .synthetic)
        layout = try c.decodeIfPresent(DataLayout.self, forKey: .layout) ?? .nchw
        normalClasses = try c.decodeIfPresent([Int].self, forKey: .normalClasses)
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        if let n = normalize, !(n.std > 0) || !n.std.isFinite || !n.mean.isFinite {
            throw fail("normalize", "std must be a positive finite number and mean finite")
        }
        if let t = trainLimit, t <= 0 { throw fail("train_limit", "must be positive") }
        if let t = testLimit, t <= 0 { throw fail("test_limit", "must be positive") }
        if let s = synthetic, s.train <= 0 || s.test <= 0 { throw fail("synthetic", "train and test sizes must be positive") }
        if let s = synthetic, max(s.train, s.test) > SyntheticDigits.sampleLimit.maximum {
            throw fail("synthetic", "\(max(s.train, s.test)) samples exceed the limit of \(SyntheticDigits.sampleLimit)")
        }
        if let n = normalClasses, n.isEmpty || n.contains(where: { $0 < 0 || $0 >= Dataset.classLimit.maximum }) {
            throw fail("normal_classes", "must list class indices (0…\(Dataset.classLimit.maximum - 1)), e.g. [0]")
        }
    }
}

/// The training recipe.
public struct TrainSpec: Codable, Equatable, Sendable {
    public var epochs: Int = 5
    public var batchSize: Int = 64
    public var seed: UInt64 = 0
    public var loss: Loss = .crossEntropy
    /// What the output is compared with: "labels" (a classifier) or "input" (an autoencoder,
    /// whose output reproduces the normalised input; the loss is then mse).
    public var target: TrainingTarget = .labels
    public var optimizer: OptimizerSpec = OptimizerSpec()
    public var schedule: ScheduleSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, seed, loss, target, optimizer, schedule
        case batchSize = "batch_size"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "train")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? 5
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 64
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        target = try c.decodeIfPresent(TrainingTarget.self, forKey: .target) ?? .labels
        loss = try c.decodeIfPresent(Loss.self, forKey: .loss) ?? (target == .input ? .mse : .crossEntropy)
        optimizer = try c.decodeIfPresent(OptimizerSpec.self, forKey: .optimizer) ?? OptimizerSpec()
        schedule = try c.decodeIfPresent(ScheduleSpec.self, forKey: .schedule)
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard epochs >= 0 else { throw fail("epochs", "must be 0 or more") }
        guard batchSize > 0, batchSize <= 1 << 20 else { throw fail("batch_size", "must be 1…1,048,576") }
        guard target == .labels || loss == .mse else { throw fail("loss", "a reconstruction (target \"input\") needs \"mse\"") }
        try optimizer.validate { fail("optimizer.\($0)", $1) }
        if let s = schedule { try s.validate { fail("schedule.\($0)", $1) } }
    }
}

public struct OptimizerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case sgd, adam }
    public var type: Kind = .sgd
    public var lr: Double = 0.01
    public var momentum: Double = 0
    public var weightDecay: Double = 0
    public var nesterov: Bool = false
    public var betas: [Double] = [0.9, 0.999]
    public var eps: Double = 1e-8

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, lr, momentum, nesterov, betas, eps
        case weightDecay = "weight_decay"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(Kind.self, forKey: .type) ?? .sgd
        let allowed = type == .sgd ? ["type", "lr", "momentum", "weight_decay", "nesterov"] : ["type", "lr", "betas", "eps", "weight_decay"]
        try decoder.rejectUnknownKeys(allowed, in: "a \(type.rawValue) optimizer")
        lr = try c.decodeIfPresent(Double.self, forKey: .lr) ?? (type == .sgd ? 0.01 : 0.001)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum) ?? 0
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay) ?? 0
        nesterov = try c.decodeIfPresent(Bool.self, forKey: .nesterov) ?? false
        betas = try c.decodeIfPresent([Double].self, forKey: .betas) ?? [0.9, 0.999]
        eps = try c.decodeIfPresent(Double.self, forKey: .eps) ?? 1e-8
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard lr > 0, lr.isFinite else { throw fail("lr", "must be a positive number") }
        guard momentum >= 0, momentum < 1 else { throw fail("momentum", "must be in [0, 1)") }
        guard weightDecay >= 0 else { throw fail("weight_decay", "must be 0 or more") }
        guard !nesterov || momentum > 0 else { throw fail("nesterov", "needs a momentum above 0") }
        guard betas.count == 2, betas.allSatisfy({ $0 >= 0 && $0 < 1 }) else { throw fail("betas", "must be two numbers in [0, 1)") }
    }

    public func makeOptimizer(_ parameters: [Parameter]) -> Optimizer {
        switch type {
        case .sgd: return SGD(parameters: parameters, momentum: Float(momentum), weightDecay: Float(weightDecay), nesterov: nesterov)
        case .adam: return Adam(parameters: parameters, beta1: Float(betas[0]), beta2: Float(betas[1]), eps: Float(eps), weightDecay: Float(weightDecay))
        }
    }
}

public struct ScheduleSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case constant, step, cosine }
    public var type: Kind
    public var stepSize: Int = 1
    public var gamma: Double = 0.1
    public var minLr: Double = 0

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, gamma
        case stepSize = "step_size", minLr = "min_lr"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(Kind.self, forKey: .type)
        let allowed: [String] = switch type {
        case .constant: ["type"]
        case .step: ["type", "step_size", "gamma"]
        case .cosine: ["type", "min_lr"]
        }
        try decoder.rejectUnknownKeys(allowed, in: "a \(type.rawValue) schedule")
        stepSize = try c.decodeIfPresent(Int.self, forKey: .stepSize) ?? 1
        gamma = try c.decodeIfPresent(Double.self, forKey: .gamma) ?? 0.1
        minLr = try c.decodeIfPresent(Double.self, forKey: .minLr) ?? 0
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard stepSize > 0 else { throw fail("step_size", "must be positive") }
        guard gamma > 0 else { throw fail("gamma", "must be positive") }
        guard minLr >= 0 else { throw fail("min_lr", "must be 0 or more") }
    }

    public var schedule: Schedule {
        switch type {
        case .constant: return .constant
        case .step: return .step(stepSize: stepSize, gamma: gamma)
        case .cosine: return .cosine(minimum: minLr)
        }
    }
}
