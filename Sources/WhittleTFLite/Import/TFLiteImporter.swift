import WhittleIR

/// What `TFLiteImporter` made of a model: the graph, and one line for each thing it dropped.
public struct TFLiteImport: Sendable {
    public var graph: QGraph
    /// The float edges removed (a QUANTIZE after a float input, a DEQUANTIZE before a float output).
    public var notes: [String]
}

/// The second front end: a `TFLiteModel` (one subgraph of int8 operators) as a `QGraph`, with
/// every quantization parameter taken from the file. Multipliers are computed as TFLite's
/// `Prepare` computes them (in double, from the file's float scales), so the graph's integer
/// parameters are TFLite's, and its reference interpreter computes what TFLite's reference
/// kernels compute. The operators map one to one (`TFLiteOperatorMapping`), in the file's order,
/// which TFLite keeps topological. A model `whittle export` wrote carries the metadata entry
/// "whittle" (`WhittleMetadata`): its node names, weight formats, input description and raw-input
/// table are restored, and the operators the exporter added are absorbed (`AbsorbedOperators`).
public enum TFLiteImporter {
    /// The operators that map to a node, as the unsupported-operator error lists them.
    public static let supportedOperators: [TFLiteOperatorKind] = [
        .add, .averagePool2D, .conv2D, .depthwiseConv2D, .fullyConnected, .maxPool2D, .mean, .pad, .reshape, .softmax,
    ]
    /// The operators removed at a float input or output.
    public static let edgeOperators: [TFLiteOperatorKind] = [.quantize, .dequantize]

    /// `modelName` names the model in the graph's input description (usually the file name).
    public static func importModel(_ model: TFLiteModel, modelName: String) throws -> TFLiteImport {
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw TFLiteImportError("the model has \(model.inputs.count) inputs and \(model.outputs.count) outputs; whittle imports models of one input and one output")
        }
        guard !model.operators.isEmpty else { throw TFLiteImportError("the model has no operators") }
        var notes: [String] = []
        let (inputIndex, quantizeOp) = try integerInput(model, notes: &notes)
        let (outputIndex, dequantizeOp) = try integerOutput(model, notes: &notes)
        let whittle = try WhittleMetadata(of: model)
        var assembly = try GraphAssembly(model: model, input: inputIndex)
        for (index, op) in model.operators.enumerated() where index != quantizeOp && index != dequantizeOp {
            let note = whittle?.operators[index]
            let context = OperatorContext(op: op, index: index, givenName: note?.node)
            if let note, note.node == nil {
                try assembly.absorb(context)
            } else {
                try TFLiteOperatorMapping.map(context, into: &assembly)
            }
        }
        let edgeNotes = notes
        notes += assembly.notes
        guard let output = assembly.ids[outputIndex] else {
            throw TFLiteImportError("no operator writes the model's output tensor '\(model.tensors[outputIndex].name)'")
        }
        let input = assembly.tensors[0]
        let description = "int8 \(input.shape) (channels-last, batch 1), the input '\(input.name)' of \(modelName): "
            + "real = \(input.quant.scale) × (q − \(input.quant.zeroPoint))"
            + (edgeNotes.isEmpty ? "" : ". Imported from TFLite: " + edgeNotes.joined(separator: "; "))
        var graph = QGraph(tensors: assembly.tensors, nodes: assembly.nodes, input: 0, output: output,
                           inputDescription: whittle?.inputDescription ?? description, rawInputTable: whittle?.rawInputTable)
        do {
            try GraphVerifier.verify(graph)
            _ = try AccumulatorRangeAnalysis.check(graph)
            // Formats are encoded once the weights are known to fit their layers.
            if let whittle {
                graph = try whittle.restoringWeightFormats(of: graph)
                try GraphVerifier.verify(graph)
            }
        } catch let error as TFLiteImportError {
            throw error
        } catch {
            throw TFLiteImportError("the imported graph does not verify: \(error)")
        }
        return TFLiteImport(graph: graph, notes: notes)
    }

    /// The int8 tensor the graph starts from: the model's input, or the output of the QUANTIZE
    /// that reads a float input (that operator's index, to skip it).
    private static func integerInput(_ model: TFLiteModel, notes: inout [String]) throws -> (tensor: Int, skipped: Int?) {
        let index = model.inputs[0]
        let tensor = model.tensors[index]
        guard tensor.type == .float32 else { return (index, nil) }
        guard let op = model.operators.firstIndex(where: { $0.kind == .quantize && $0.inputs.first == index }) else {
            throw TFLiteImportError("the input '\(tensor.name)' is FLOAT32\(tensor.quantization == nil ? " without quantization" : "") and no QUANTIZE reads it; whittle imports int8-quantized models (full-integer quantization)")
        }
        let quantized = model.operators[op].outputs[0]
        notes.append("removed QUANTIZE (operator \(op)): firmware passes '\(model.tensors[quantized].name)' as int8 instead of the float '\(tensor.name)'")
        return (quantized, op)
    }

    /// The int8 tensor the graph ends with: the model's output, or the input of the DEQUANTIZE
    /// that writes a float output.
    private static func integerOutput(_ model: TFLiteModel, notes: inout [String]) throws -> (tensor: Int, skipped: Int?) {
        let index = model.outputs[0]
        let tensor = model.tensors[index]
        guard tensor.type == .float32 else { return (index, nil) }
        guard let op = model.operators.firstIndex(where: { $0.kind == .dequantize && $0.outputs.first == index }),
              let quantized = model.operators[op].inputs.first, quantized >= 0 else {
            throw TFLiteImportError("the output '\(tensor.name)' is FLOAT32\(tensor.quantization == nil ? " without quantization" : "") and no DEQUANTIZE writes it; whittle imports int8-quantized models (full-integer quantization)")
        }
        let q = model.tensors[quantized].quantization
        notes.append("removed DEQUANTIZE (operator \(op)): firmware gets '\(model.tensors[quantized].name)' as int8"
                     + (q.map { ", real = \($0.scales[0]) × (q − \($0.zeroPoints.first ?? 0))" } ?? ""))
        return (quantized, op)
    }
}
