/// One entry of the spec's `layers` list. Fields follow PyTorch's constructor arguments;
/// which ones a layer accepts depends on its `type` (see `allowedFields`).
public struct LayerSpec: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case conv2d, linear, maxpool2d, avgpool2d
        case globalAvgpool = "global_avgpool"
        case batchnorm1d, batchnorm2d, relu, relu6, flatten, dropout, add, softmax
    }

    public var name: String?
    public var type: Kind
    public var inputs: [String]?
    // conv2d
    public var outChannels: Int?
    public var inChannels: Int?
    public var kernel: IntPair?
    public var stride: IntPair?
    public var padding: PaddingSpec?
    public var groups: Int?
    public var bias: Bool?
    // linear
    public var outFeatures: Int?
    public var inFeatures: Int?
    // batchnorm
    public var eps: Double?
    public var momentum: Double?
    // dropout
    public var p: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, type, inputs, kernel, stride, padding, groups, bias, eps, momentum, p
        case outChannels = "out_channels", inChannels = "in_channels"
        case outFeatures = "out_features", inFeatures = "in_features"
    }

    public init(name: String? = nil, type: Kind) { self.name = name; self.type = type }

    static func allowedFields(_ kind: Kind) -> [String] {
        let common = ["name", "type", "inputs"]
        switch kind {
        case .conv2d: return common + ["out_channels", "in_channels", "kernel", "stride", "padding", "groups", "bias"]
        case .linear: return common + ["out_features", "in_features", "bias"]
        case .maxpool2d, .avgpool2d: return common + ["kernel", "stride", "padding"]
        case .batchnorm1d, .batchnorm2d: return common + ["eps", "momentum"]
        case .dropout: return common + ["p"]
        case .globalAvgpool, .relu, .relu6, .flatten, .add, .softmax: return common
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decode(String.self, forKey: .type)
        guard let kind = Kind(rawValue: typeName) else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription:
                "unknown layer type '\(typeName)' (valid: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        type = kind
        try decoder.rejectUnknownKeys(Self.allowedFields(type), in: "a \(type.rawValue) layer")
        name = try c.decodeIfPresent(String.self, forKey: .name)
        inputs = try c.decodeIfPresent([String].self, forKey: .inputs)
        outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels)
        inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels)
        kernel = try c.decodeIfPresent(IntPair.self, forKey: .kernel)
        stride = try c.decodeIfPresent(IntPair.self, forKey: .stride)
        padding = try c.decodeIfPresent(PaddingSpec.self, forKey: .padding)
        groups = try c.decodeIfPresent(Int.self, forKey: .groups)
        bias = try c.decodeIfPresent(Bool.self, forKey: .bias)
        outFeatures = try c.decodeIfPresent(Int.self, forKey: .outFeatures)
        inFeatures = try c.decodeIfPresent(Int.self, forKey: .inFeatures)
        eps = try c.decodeIfPresent(Double.self, forKey: .eps)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum)
        p = try c.decodeIfPresent(Double.self, forKey: .p)
    }
}
