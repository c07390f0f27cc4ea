import Foundation
import WhittleSupport

/// Reads a `.tflite` flatbuffer into a `TFLiteModel`: the file identifier "TFL3", one subgraph,
/// each table field by its index in `schema.fbs`. Sizes are bounded before anything is allocated
/// (no tensor over 2^28 elements, no more than 65,536 tensors or operators).
public enum TFLiteReader {
    public static let maxEntries = 65_536
    public static let maxElements = 1 << 28

    public static func read(from url: URL) throws -> TFLiteModel {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FlatBufferError("\(url.path): \(fileErrorText(error))")
        }
        do {
            return try decode([UInt8](data))
        } catch let error as FlatBufferError {
            throw FlatBufferError("\(url.path): \(error.description)")
        }
    }

    public static func decode(_ bytes: [UInt8]) throws -> TFLiteModel {
        guard bytes.count >= 8, Array(bytes[4..<8]) == Array("TFL3".utf8) else {
            throw FlatBufferError("not a TFLite model (no \"TFL3\" file identifier)")
        }
        let r = FlatBufferReader(bytes: bytes)
        let model = try r.root("model")
        let version = try r.scalarField(model, 0, "model version", default: UInt32(0))
        let codes = try r.tables(model, 1, "operator codes").enumerated().map { i, code -> TFLiteOperatorKind in
            let deprecated = Int32(try r.scalarField(code, 0, "operator code \(i)", default: Int8(0)))
            let builtin = try r.scalarField(code, 3, "operator code \(i)", default: Int32(0))
            return TFLiteOperatorKind(code: max(deprecated, builtin), custom: try r.string(code, 1, "operator code \(i) custom code"))
        }
        let subgraphs = try r.tables(model, 2, "subgraphs")
        guard subgraphs.count == 1 else {
            throw FlatBufferError("the model has \(subgraphs.count) subgraphs; whittle imports models of exactly one")
        }
        let buffers = try r.tables(model, 4, "buffers")
        let graph = subgraphs[0]
        let tensorTables = try r.tables(graph, 0, "tensors")
        let operatorTables = try r.tables(graph, 3, "operators")
        for (what, count) in [("tensors", tensorTables.count), ("operators", operatorTables.count)] where count > maxEntries {
            throw FlatBufferError("\(count) \(what), over the limit of \(maxEntries)")
        }
        let tensors = try tensorTables.enumerated().map { try tensor($1, index: $0, buffers: buffers, r) }
        let operators = try operatorTables.enumerated().map { i, op -> TFLiteOperator in
            let what = "operator \(i)"
            let index = Int(try r.scalarField(op, 0, "\(what) opcode index", default: UInt32(0)))
            guard codes.indices.contains(index) else {
                throw FlatBufferError("\(what) names operator code \(index); the model has \(codes.count)")
            }
            let inputs = try indices(r.scalars(op, 1, Int32.self, "\(what) inputs"), tensors.count, what)
            let outputs = try indices(r.scalars(op, 2, Int32.self, "\(what) outputs"), tensors.count, what)
            return TFLiteOperator(kind: codes[index], inputs: inputs, outputs: outputs,
                                  options: try options(of: codes[index], try r.tableField(op, 4, "\(what) options"), what, r))
        }
        // Entries may share a buffer: their bytes together are held to the file's size.
        var metadataBytes = 0
        let metadata = try r.tables(model, 6, "metadata").enumerated().map { i, entry -> TFLiteMetadata in
            let what = "metadata \(i)"
            let index = Int(try r.scalarField(entry, 1, "\(what) buffer", default: UInt32(0)))
            guard buffers.indices.contains(index) else {
                throw FlatBufferError("\(what) names buffer \(index); the model has \(buffers.count)")
            }
            let data = Array(try r.bytes(buffers[index], 0, "\(what) data"))
            metadataBytes += data.count
            guard metadataBytes <= bytes.count else { throw FlatBufferError("the metadata entries hold more bytes than the file") }
            return TFLiteMetadata(name: try r.string(entry, 0, "\(what) name") ?? "", data: data)
        }
        return TFLiteModel(version: version, description: try r.string(model, 3, "model description"), tensors: tensors,
                           inputs: try indices(r.scalars(graph, 1, Int32.self, "subgraph inputs"), tensors.count, "subgraph"),
                           outputs: try indices(r.scalars(graph, 2, Int32.self, "subgraph outputs"), tensors.count, "subgraph"),
                           operators: operators, metadata: metadata)
    }

    /// Tensor indices, each a tensor of the model (−1, an optional input left out, is kept).
    private static func indices(_ raw: [Int32], _ count: Int, _ what: String) throws -> [Int] {
        try raw.map { i in
            guard i == -1 || (0..<Int32(count)).contains(i) else {
                throw FlatBufferError("\(what) names tensor \(i); the model has \(count)")
            }
            return Int(i)
        }
    }

    private static func tensor(_ t: FlatBufferReader.Table, index: Int, buffers: [FlatBufferReader.Table], _ r: FlatBufferReader) throws -> TFLiteTensor {
        let what = "tensor \(index)"
        let shape = try r.scalars(t, 0, Int32.self, "\(what) shape").map(Int.init)
        guard shape.allSatisfy({ $0 >= 0 }), let elements = checkedProduct(shape), elements <= maxElements else {
            throw FlatBufferError("\(what) has shape \(shape), negative or over \(maxElements) elements")
        }
        let rawType = try r.scalarField(t, 1, "\(what) type", default: Int8(0))
        let bufferIndex = Int(try r.scalarField(t, 2, "\(what) buffer", default: UInt32(0)))
        guard bufferIndex == 0 || buffers.indices.contains(bufferIndex) else {
            throw FlatBufferError("\(what) names buffer \(bufferIndex); the model has \(buffers.count)")
        }
        let data = bufferIndex == 0 ? [] : Array(try r.bytes(buffers[bufferIndex], 0, "\(what) data"))
        var quantization: TFLiteQuantization?
        if let q = try r.tableField(t, 4, "\(what) quantization") {
            let scales = try r.floats(q, 2, "\(what) scales")
            let zeroPoints = try r.scalars(q, 3, Int64.self, "\(what) zero points")
            if !scales.isEmpty {
                quantization = TFLiteQuantization(scales: scales, zeroPoints: zeroPoints,
                                                  dimension: Int(try r.scalarField(q, 6, "\(what) quantized dimension", default: Int32(0))))
            }
        }
        return TFLiteTensor(name: try r.string(t, 3, "\(what) name") ?? "tensor\(index)", shape: shape,
                            type: TFLiteTensorType(rawValue: rawType), rawType: rawType, data: data, quantization: quantization)
    }

    /// The builtin options of the kinds Whittle maps (field indices from `schema.fbs`).
    private static func options(of kind: TFLiteOperatorKind, _ o: FlatBufferReader.Table?, _ what: String, _ r: FlatBufferReader) throws -> TFLiteOptions {
        guard let o else { return .none }
        func int(_ i: Int, _ name: String, _ d: Int32 = 0) throws -> Int { Int(try r.scalarField(o, i, "\(what) \(name)", default: d)) }
        func byte(_ i: Int, _ name: String) throws -> Int8 { try r.scalarField(o, i, "\(what) \(name)", default: Int8(0)) }
        func padding(_ i: Int) throws -> TFLitePadding {
            let raw = try byte(i, "padding")
            guard let p = TFLitePadding(rawValue: raw) else { throw FlatBufferError("\(what) has unknown padding \(raw)") }
            return p
        }
        func activation(_ i: Int) throws -> TFLiteActivation {
            let raw = try byte(i, "fused activation")
            guard let a = TFLiteActivation(rawValue: raw) else { throw FlatBufferError("\(what) has unknown fused activation \(raw)") }
            return a
        }
        switch kind {
        case .conv2D:
            return .conv(padding: try padding(0), strideH: try int(2, "stride h"), strideW: try int(1, "stride w"),
                         dilationH: try int(5, "dilation h", 1), dilationW: try int(4, "dilation w", 1), activation: try activation(3))
        case .depthwiseConv2D:
            return .depthwiseConv(padding: try padding(0), strideH: try int(2, "stride h"), strideW: try int(1, "stride w"),
                                  depthMultiplier: try int(3, "depth multiplier"), dilationH: try int(6, "dilation h", 1),
                                  dilationW: try int(5, "dilation w", 1), activation: try activation(4))
        case .averagePool2D, .maxPool2D:
            return .pool(padding: try padding(0), strideH: try int(2, "stride h"), strideW: try int(1, "stride w"),
                         filterH: try int(4, "filter h"), filterW: try int(3, "filter w"), activation: try activation(5))
        case .fullyConnected:
            return .fullyConnected(activation: try activation(0), keepDims: try byte(2, "keep num dims") != 0)
        case .add:
            return .add(activation: try activation(0))
        case .softmax:
            return .softmax(beta: Float(bitPattern: try r.scalarField(o, 0, "\(what) beta", default: Float(0).bitPattern)))
        case .mean:
            return .reducer(keepDims: try byte(0, "keep dims") != 0)
        case .reshape:
            return .reshape(newShape: try r.scalars(o, 0, Int32.self, "\(what) new shape").map(Int.init))
        case .pad:
            return .pad
        default:
            return .none
        }
    }
}
