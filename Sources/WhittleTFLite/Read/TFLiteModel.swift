/// The parts of a `.tflite` model (TFLite's `schema.fbs`) Whittle reads and writes: one
/// subgraph's tensors, their quantization and constant data, its operators in order with their
/// options, and the model's named metadata.
public struct TFLiteModel: Sendable, Equatable {
    public var version: UInt32
    public var description: String?
    public var tensors: [TFLiteTensor]
    public var inputs: [Int]
    public var outputs: [Int]
    public var operators: [TFLiteOperator]
    /// The model's `metadata` entries (name and the bytes of the buffer it names), in file order.
    public var metadata: [TFLiteMetadata]

    public init(version: UInt32 = 3, description: String? = nil, tensors: [TFLiteTensor], inputs: [Int], outputs: [Int],
                operators: [TFLiteOperator], metadata: [TFLiteMetadata] = []) {
        self.version = version
        self.description = description
        self.tensors = tensors
        self.inputs = inputs
        self.outputs = outputs
        self.operators = operators
        self.metadata = metadata
    }
}

/// One `Metadata` entry of a model: a name and the bytes of its buffer.
public struct TFLiteMetadata: Sendable, Equatable {
    public var name: String
    public var data: [UInt8]

    public init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }
}

/// `TensorType` values of the schema.
public enum TFLiteTensorType: Int8, Sendable, CustomStringConvertible {
    case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7, complex64 = 8, int8 = 9

    /// The schema's name (`INT8`, …).
    public var description: String {
        ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8"][Int(rawValue)]
    }
}

public struct TFLiteTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// nil for a type this reader does not know (its raw value is in `rawType`).
    public var type: TFLiteTensorType?
    public var rawType: Int8
    /// The constant bytes of a weight or bias (empty for activations).
    public var data: [UInt8]
    public var quantization: TFLiteQuantization?

    public init(name: String, shape: [Int], type: TFLiteTensorType, data: [UInt8] = [], quantization: TFLiteQuantization? = nil) {
        self.init(name: name, shape: shape, type: type, rawType: type.rawValue, data: data, quantization: quantization)
    }

    init(name: String, shape: [Int], type: TFLiteTensorType?, rawType: Int8, data: [UInt8], quantization: TFLiteQuantization?) {
        self.name = name
        self.shape = shape
        self.type = type
        self.rawType = rawType
        self.data = data
        self.quantization = quantization
    }
}

/// Affine quantization: one scale and zero point, or one per slice along `dimension`.
public struct TFLiteQuantization: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var dimension: Int

    public init(scales: [Float], zeroPoints: [Int64], dimension: Int = 0) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.dimension = dimension
    }
}

public struct TFLiteOperator: Sendable, Equatable {
    public var kind: TFLiteOperatorKind
    public var inputs: [Int]
    public var outputs: [Int]
    public var options: TFLiteOptions

    public init(kind: TFLiteOperatorKind, inputs: [Int], outputs: [Int], options: TFLiteOptions = .none) {
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.options = options
    }
}

/// `BuiltinOperator` codes Whittle knows by name; others keep their number.
public enum TFLiteOperatorKind: Sendable, Equatable, CustomStringConvertible {
    case add, averagePool2D, conv2D, depthwiseConv2D, dequantize, fullyConnected, maxPool2D, reshape, softmax, pad, mean, quantize
    case other(code: Int32, custom: String?)

    /// The kinds Whittle knows by name.
    static let named: [TFLiteOperatorKind] = [
        .add, .averagePool2D, .conv2D, .depthwiseConv2D, .dequantize, .fullyConnected, .maxPool2D, .reshape, .softmax, .pad, .mean, .quantize,
    ]

    init(code: Int32, custom: String?) {
        self = Self.named.first { $0.code == code } ?? .other(code: code, custom: custom)
    }

    /// The `BuiltinOperator` code (32, `CUSTOM`, for a custom operator).
    public var code: Int32 {
        switch self {
        case .add: return 0
        case .averagePool2D: return 1
        case .conv2D: return 3
        case .depthwiseConv2D: return 4
        case .dequantize: return 6
        case .fullyConnected: return 9
        case .maxPool2D: return 17
        case .reshape: return 22
        case .softmax: return 25
        case .pad: return 34
        case .mean: return 40
        case .quantize: return 114
        case .other(let code, _): return code
        }
    }

    /// The schema's name (`CONV_2D`, …).
    public var description: String {
        switch self {
        case .add: return "ADD"
        case .averagePool2D: return "AVERAGE_POOL_2D"
        case .conv2D: return "CONV_2D"
        case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
        case .dequantize: return "DEQUANTIZE"
        case .fullyConnected: return "FULLY_CONNECTED"
        case .maxPool2D: return "MAX_POOL_2D"
        case .reshape: return "RESHAPE"
        case .softmax: return "SOFTMAX"
        case .pad: return "PAD"
        case .mean: return "MEAN"
        case .quantize: return "QUANTIZE"
        case .other(let code, let custom): return custom.map { "custom operator '\($0)'" } ?? "builtin operator \(code)"
        }
    }
}

/// `Padding` and `ActivationFunctionType` of the schema.
public enum TFLitePadding: Int8, Sendable { case same = 0, valid = 1 }
public enum TFLiteActivation: Int8, Sendable { case none = 0, relu = 1, reluN1To1 = 2, relu6 = 3, tanh = 4, signBit = 5 }

/// The builtin options of the operators Whittle maps.
public enum TFLiteOptions: Sendable, Equatable {
    case none
    case conv(padding: TFLitePadding, strideH: Int, strideW: Int, dilationH: Int, dilationW: Int, activation: TFLiteActivation)
    case depthwiseConv(padding: TFLitePadding, strideH: Int, strideW: Int, depthMultiplier: Int, dilationH: Int, dilationW: Int,
                       activation: TFLiteActivation)
    case pool(padding: TFLitePadding, strideH: Int, strideW: Int, filterH: Int, filterW: Int, activation: TFLiteActivation)
    case fullyConnected(activation: TFLiteActivation, keepDims: Bool)
    case add(activation: TFLiteActivation)
    case softmax(beta: Float)
    /// MEAN's `ReducerOptions`.
    case reducer(keepDims: Bool)
    /// RESHAPE's `ReshapeOptions` (the shape is also its second input).
    case reshape(newShape: [Int])
    /// PAD's `PadOptions`, a table without fields (the paddings are its second input).
    case pad
}
