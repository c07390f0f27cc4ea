/// The parts of a `.tflite` model (TFLite's `schema.fbs`) Whittle reads: one subgraph's tensors,
/// their quantization and constant data, and its operators in order with their options.
public struct TFLiteModel: Sendable {
    public var version: UInt32
    public var description: String?
    public var tensors: [TFLiteTensor]
    public var inputs: [Int]
    public var outputs: [Int]
    public var operators: [TFLiteOperator]
}

/// `TensorType` values of the schema.
public enum TFLiteTensorType: Int8, Sendable, CustomStringConvertible {
    case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7, complex64 = 8, int8 = 9

    /// The schema's name (`INT8`, …).
    public var description: String {
        ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8"][Int(rawValue)]
    }
}

public struct TFLiteTensor: Sendable {
    public var name: String
    public var shape: [Int]
    /// nil for a type this reader does not know (its raw value is in `rawType`).
    public var type: TFLiteTensorType?
    public var rawType: Int8
    /// The constant bytes of a weight or bias (empty for activations).
    public var data: [UInt8]
    public var quantization: TFLiteQuantization?
}

/// Affine quantization: one scale and zero point, or one per slice along `dimension`.
public struct TFLiteQuantization: Sendable, Equatable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var dimension: Int
}

public struct TFLiteOperator: Sendable {
    public var kind: TFLiteOperatorKind
    public var inputs: [Int]
    public var outputs: [Int]
    public var options: TFLiteOptions
}

/// `BuiltinOperator` codes Whittle knows by name; others keep their number.
public enum TFLiteOperatorKind: Sendable, Equatable, CustomStringConvertible {
    case add, averagePool2D, conv2D, depthwiseConv2D, dequantize, fullyConnected, maxPool2D, reshape, softmax, pad, mean, quantize
    case other(code: Int32, custom: String?)

    init(code: Int32, custom: String?) {
        switch code {
        case 0: self = .add
        case 1: self = .averagePool2D
        case 3: self = .conv2D
        case 4: self = .depthwiseConv2D
        case 6: self = .dequantize
        case 9: self = .fullyConnected
        case 17: self = .maxPool2D
        case 22: self = .reshape
        case 25: self = .softmax
        case 34: self = .pad
        case 40: self = .mean
        case 114: self = .quantize
        default: self = .other(code: code, custom: custom)
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
}
