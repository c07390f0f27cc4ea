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
    public var observer: Observer = .minmax
    /// For `percentile`: the percentile kept on each side (e.g. 99.99).
    public var percentile: Double = 99.99
    /// For `moving_average`: the averaging constant c.
    public var averagingConstant: Double = 0.01

    enum CodingKeys: String, CodingKey, CaseIterable {
        case calibration, selection, seed, observer, percentile
        case perChannel = "per_channel", averagingConstant = "averaging_constant"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "quantize")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calibration = try c.decodeIfPresent(Int.self, forKey: .calibration) ?? 1000
        selection = try c.decodeIfPresent(Selection.self, forKey: .selection) ?? .first
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        perChannel = try c.decodeIfPresent(Bool.self, forKey: .perChannel) ?? true
        observer = try c.decodeIfPresent(Observer.self, forKey: .observer) ?? .minmax
        percentile = try c.decodeIfPresent(Double.self, forKey: .percentile) ?? 99.99
        averagingConstant = try c.decodeIfPresent(Double.self, forKey: .averagingConstant) ?? 0.01
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard calibration > 0 else { throw fail("calibration", "must be at least 1 image (an empty calibration set cannot set ranges)") }
        guard percentile > 50, percentile <= 100 else { throw fail("percentile", "must be in (50, 100]") }
        guard averagingConstant > 0, averagingConstant <= 1 else { throw fail("averaging_constant", "must be in (0, 1]") }
    }
}
