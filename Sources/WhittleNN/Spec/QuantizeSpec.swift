/// The spec's `quantize` section: how post-training quantization calibrates.
public struct QuantizeSpec: Codable, Equatable, Sendable {
    public enum Observer: String, Codable, Sendable { case minmax }

    /// Calibration images, taken from the start of the training split.
    public var calibration: Int = 1000
    /// Weights: one scale per output channel (true) or per tensor.
    public var perChannel: Bool = true
    public var observer: Observer = .minmax

    enum CodingKeys: String, CodingKey, CaseIterable {
        case calibration, observer
        case perChannel = "per_channel"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "quantize")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calibration = try c.decodeIfPresent(Int.self, forKey: .calibration) ?? 1000
        perChannel = try c.decodeIfPresent(Bool.self, forKey: .perChannel) ?? true
        observer = try c.decodeIfPresent(Observer.self, forKey: .observer) ?? .minmax
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard calibration > 0 else { throw fail("calibration", "must be at least 1 image (an empty calibration set cannot set ranges)") }
    }
}
