/// The spec's `quantize` section: how post-training quantization calibrates.
public struct QuantizeSpec: Codable, Equatable, Sendable {
    /// How activation ranges are chosen from the calibration set.
    public enum Observer: String, Codable, Sendable, CaseIterable {
        case minmax, movingAverage = "moving_average", percentile, mse, entropy
    }
    /// Which training images calibrate.
    public enum Selection: String, Codable, Sendable { case first, random }

    /// Calibration images, taken from the training split.
    public var calibration: Int = 1000
    public var selection: Selection = .first
    /// Seed of a random selection.
    public var seed: UInt64 = 0
    /// Weights: one scale per output channel (true) or per tensor.
    public var perChannel: Bool = true
    /// Every scale rounded to float32 before anything is quantized with it, so TFLite (which
    /// keeps scales as float32) derives the same multipliers: what `whittle export` needs.
    public var float32Scales: Bool = false
    public var observer: Observer = .minmax
    /// For `percentile`: the percentile kept on each side (e.g. 99.99).
    public var percentile: Double = 99.99
    /// For `moving_average`: the averaging constant c.
    public var averagingConstant: Double = 0.01
    /// Quantization-aware training after calibration (nil: post-training quantization only).
    public var qat: QATSpec?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case calibration, selection, seed, observer, percentile, qat
        case perChannel = "per_channel", averagingConstant = "averaging_constant", float32Scales = "float32_scales"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "quantize")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calibration = try c.decodeIfPresent(Int.self, forKey: .calibration) ?? 1000
        selection = try c.decodeIfPresent(Selection.self, forKey: .selection) ?? .first
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        perChannel = try c.decodeIfPresent(Bool.self, forKey: .perChannel) ?? true
        float32Scales = try c.decodeIfPresent(Bool.self, forKey: .float32Scales) ?? false
        observer = try c.decodeIfPresent(Observer.self, forKey: .observer) ?? .minmax
        percentile = try c.decodeIfPresent(Double.self, forKey: .percentile) ?? 99.99
        averagingConstant = try c.decodeIfPresent(Double.self, forKey: .averagingConstant) ?? 0.01
        qat = try c.decodeIfPresent(QATSpec.self, forKey: .qat)
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard calibration > 0 else { throw fail("calibration", "must be at least 1 image (an empty calibration set cannot set ranges)") }
        guard percentile > 50, percentile <= 100 else { throw fail("percentile", "must be in (50, 100]") }
        guard averagingConstant > 0, averagingConstant <= 1 else { throw fail("averaging_constant", "must be in (0, 1]") }
        if let q = qat { try q.validate { fail("qat.\($0)", $1) } }
    }
}

/// Quantization-aware training: fine-tune with fake-quantized weights and activations,
/// BatchNorm folded, then lower exactly as post-training quantization does.
public struct QATSpec: Codable, Equatable, Sendable {
    /// The fine-tuning recipe (epochs, batch size, optimizer, schedule, seed).
    public var train: TrainSpec
    /// Epochs after which BatchNorm statistics freeze and the folded form is used; nil (the
    /// default): batch statistics throughout, frozen once training ends. Freezing for the last
    /// of 2 epochs cost ResNet-8 on Fashion-MNIST 0.4 pp against training with them live.
    public var freezeBatchNormAfter: Int?
    /// Epochs after which activation ranges stop moving.
    public var freezeObserversAfter: Int
    /// Moving-average constant of the activation observers.
    public var averagingConstant: Double

    enum CodingKeys: String, CodingKey, CaseIterable {
        case train
        case freezeBatchNormAfter = "freeze_bn_after", freezeObserversAfter = "freeze_observers_after"
        case averagingConstant = "averaging_constant"
    }

    public init(epochs: Int = 3, learningRate: Double = 0.001) {
        train = TrainSpec()
        train.epochs = epochs
        train.optimizer.lr = learningRate
        train.optimizer.momentum = 0.9
        freezeBatchNormAfter = nil
        freezeObserversAfter = max(epochs - 1, 0)
        averagingConstant = 0.01
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "quantize.qat")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        train = try c.decodeIfPresent(TrainSpec.self, forKey: .train) ?? QATSpec().train
        freezeBatchNormAfter = try c.decodeIfPresent(Int.self, forKey: .freezeBatchNormAfter)
        freezeObserversAfter = try c.decodeIfPresent(Int.self, forKey: .freezeObserversAfter) ?? max(train.epochs - 1, 0)
        averagingConstant = try c.decodeIfPresent(Double.self, forKey: .averagingConstant) ?? 0.01
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        try train.validate { fail("train.\($0)", $1) }
        guard (freezeBatchNormAfter ?? 0) >= 0 else { throw fail("freeze_bn_after", "must be 0 or more") }
        guard freezeObserversAfter >= 0 else { throw fail("freeze_observers_after", "must be 0 or more") }
        guard averagingConstant > 0, averagingConstant <= 1 else { throw fail("averaging_constant", "must be in (0, 1]") }
    }
}
