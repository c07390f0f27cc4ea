/// Writes a `TFLiteModel` as a `.tflite` flatbuffer (the reverse of `TFLiteReader`): schema
/// version 3, the file identifier "TFL3", one subgraph named "main", each table field by its index
/// in `schema.fbs`. Buffer 0 is the empty buffer every activation names; each constant and each
/// metadata entry gets a buffer of its own, its data aligned to 16 bytes as TFLite's converter
/// aligns it. Operator codes are listed once per kind and version, with `builtin_code` and the
/// `deprecated_builtin_code` older readers use (capped at 127, which says "read builtin_code").
public enum TFLiteWriter {
    public static func encode(_ model: TFLiteModel) -> [UInt8] {
        var b = FlatBufferBuilder()
        // Buffers: the empty one, then each constant's and each metadata entry's.
        var buffers = [emptyBuffer(&b)]
        var tensorBuffer: [Int] = []
        for tensor in model.tensors {
            tensorBuffer.append(tensor.data.isEmpty ? 0 : buffers.count)
            if !tensor.data.isEmpty { buffers.append(buffer(tensor.data, &b)) }
        }
        var metadataBuffer: [Int] = []
        for entry in model.metadata {
            metadataBuffer.append(buffers.count)
            buffers.append(buffer(entry.data, &b))
        }

        let tensors = model.tensors.enumerated().map { i, t in tensor(t, buffer: tensorBuffer[i], &b) }
        var codes: [OperatorCode] = []
        let operators = model.operators.map { op -> FlatBufferBuilder.Offset in
            let code = OperatorCode(kind: op.kind, version: version(of: op))
            if !codes.contains(code) { codes.append(code) }
            return operatorTable(op, opcode: codes.firstIndex(of: code)!, &b)
        }
        let subgraph = subgraphTable(model, tensors: tensors, operators: operators, &b)
        let codeTables = codes.map { operatorCode($0, &b) }
        let metadata = model.metadata.enumerated().map { i, entry -> FlatBufferBuilder.Offset in
            let name = b.string(entry.name)
            b.startTable()
            b.add(0, name)
            b.add(1, UInt32(metadataBuffer[i]), default: 0)
            return b.endTable()
        }

        let codeVector = b.vector(codeTables)
        let subgraphVector = b.vector([subgraph])
        let description = model.description.map { b.string($0) }
        let bufferVector = b.vector(buffers)
        let metadataVector = metadata.isEmpty ? nil : b.vector(metadata)
        b.startTable()
        b.add(0, model.version, default: 0)
        b.add(1, codeVector)
        b.add(2, subgraphVector)
        if let description { b.add(3, description) }
        b.add(4, bufferVector)
        if let metadataVector { b.add(6, metadataVector) }
        return b.finish(root: b.endTable(), identifier: "TFL3")
    }

    /// The operator versions TFLite's converter writes for int8 models (`op_version.cc`: CONV_2D
    /// and DEPTHWISE_CONV_2D 3 with per-channel weights, FULLY_CONNECTED 4, 5 with keep_num_dims,
    /// the pools, ADD, SOFTMAX, PAD and MEAN 2). A runtime accepts a version it registers a kernel for.
    static func version(of op: TFLiteOperator) -> Int32 {
        switch op.kind {
        case .conv2D, .depthwiseConv2D: return 3
        case .fullyConnected:
            if case .fullyConnected(_, keepDims: true) = op.options { return 5 }
            return 4
        case .averagePool2D, .maxPool2D, .add, .softmax, .pad, .mean, .dequantize: return 2
        case .reshape, .quantize, .other: return 1
        }
    }

    private struct OperatorCode: Equatable {
        var kind: TFLiteOperatorKind
        var version: Int32
    }

    private static func emptyBuffer(_ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        b.startTable()
        return b.endTable()
    }

    private static func buffer(_ data: [UInt8], _ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        let bytes = b.vector(data, alignment: 16)
        b.startTable()
        b.add(0, bytes)
        return b.endTable()
    }

    private static func operatorCode(_ code: OperatorCode, _ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        var custom: FlatBufferBuilder.Offset?
        if case .other(_, let name?) = code.kind { custom = b.string(name) }
        b.startTable()
        b.add(3, code.kind.code, default: 0)
        b.add(2, code.version, default: 1)
        if let custom { b.add(1, custom) }
        b.add(0, Int8(min(code.kind.code, 127)), default: 0)
        return b.endTable()
    }

    private static func tensor(_ t: TFLiteTensor, buffer: Int, _ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        let shape = b.vector(t.shape.map { Int32(truncatingIfNeeded: $0) })
        let name = b.string(t.name)
        var quantization: FlatBufferBuilder.Offset?
        if let q = t.quantization {
            let scales = b.vector(q.scales)
            let zeroPoints = b.vector(q.zeroPoints)
            b.startTable()
            b.add(2, scales)
            b.add(3, zeroPoints)
            b.add(6, Int32(q.dimension), default: 0)
            quantization = b.endTable()
        }
        b.startTable()
        b.add(0, shape)
        b.add(2, UInt32(buffer), default: 0)
        b.add(3, name)
        if let quantization { b.add(4, quantization) }
        b.add(1, t.rawType, default: 0)
        return b.endTable()
    }

    private static func operatorTable(_ op: TFLiteOperator, opcode: Int, _ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        let inputs = b.vector(op.inputs.map { Int32(truncatingIfNeeded: $0) })
        let outputs = b.vector(op.outputs.map { Int32(truncatingIfNeeded: $0) })
        let options = TFLiteOptionsWriter.table(op.options, &b)
        b.startTable()
        b.add(0, UInt32(opcode), default: 0)
        b.add(1, inputs)
        b.add(2, outputs)
        if let options {
            b.add(4, options.table)
            b.add(3, options.type, default: 0)
        }
        return b.endTable()
    }

    private static func subgraphTable(_ model: TFLiteModel, tensors: [FlatBufferBuilder.Offset], operators: [FlatBufferBuilder.Offset],
                                      _ b: inout FlatBufferBuilder) -> FlatBufferBuilder.Offset {
        let tensorVector = b.vector(tensors)
        let inputs = b.vector(model.inputs.map { Int32(truncatingIfNeeded: $0) })
        let outputs = b.vector(model.outputs.map { Int32(truncatingIfNeeded: $0) })
        let operatorVector = b.vector(operators)
        let name = b.string("main")
        b.startTable()
        b.add(0, tensorVector)
        b.add(1, inputs)
        b.add(2, outputs)
        b.add(3, operatorVector)
        b.add(4, name)
        return b.endTable()
    }
}
