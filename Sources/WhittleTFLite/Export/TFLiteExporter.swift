import WhittleIR

/// The reverse of `TFLiteImporter`: a QGraph as a `TFLiteModel` (one subgraph of int8 operators,
/// `NodeMapping`) that TFLite's reference kernels run with the same integer arithmetic as Whittle's
/// reference interpreter. TFLite keeps scales as float32 and derives the multipliers from them at
/// load time, so the export is checked by importing it again (`RoundTripCheck`): a graph whose
/// multipliers would change is refused, naming the layer. What the file format has no field for
/// (node names, weight formats, the input description and raw-input table) goes into the
/// metadata entry "whittle" (`WhittleMetadata`), so importing the file gives back the graph.
public enum TFLiteExporter {
    public static func export(_ graph: QGraph) throws -> TFLiteModel {
        let graph = graph.removingUnusedTensors()
        guard !graph.nodes.isEmpty else { throw TFLiteExportError("the graph has no nodes; TFLite needs at least one operator") }
        for tensor in graph.tensors {
            let scale = Float(tensor.quant.scale)
            guard scale.isFinite, scale > 0 else {
                throw TFLiteExportError("tensor '\(tensor.name)': scale \(tensor.quant.scale) is not a positive float32 number")
            }
        }
        var assembly = ExportAssembly(graph: graph)
        for node in graph.nodes { try NodeMapping.map(node, into: &assembly) }
        let metadata = WhittleMetadata(operators: assembly.notes, inputDescription: graph.inputDescription, rawInputTable: graph.rawInputTable)
        let model = TFLiteModel(version: 3, description: "Exported by whittle.", tensors: assembly.tensors, inputs: [graph.input],
                                outputs: [graph.output], operators: assembly.operators, metadata: [metadata.entry])
        try RoundTripCheck.verify(model, against: graph)
        return model
    }
}
