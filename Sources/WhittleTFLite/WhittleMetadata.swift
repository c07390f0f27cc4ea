import Foundation
import WhittleIR

/// What a QGraph holds that a `.tflite` file has no field for, kept by `whittle export` in the
/// model's metadata entry "whittle" (JSON) so that `whittle import` gives back the same graph:
/// each operator's node name (TFLite operators have none) and weight storage, which operators the
/// exporter added around a node (a RESHAPE between `[1, n]` and `[1, 1, 1, n]`, a PAD that is a
/// convolution's own padding), the input description and the raw-input table. TFLite runtimes
/// ignore metadata; the file computes the same without it.
///
///     {"version": 1, "operators": [{"node": "conv1"}, {"node": null}, {"node": "fc1", "weights": "2:4"}],
///      "input_description": "28x28 pixels …", "raw_input_table": [-128, …]}
struct WhittleMetadata: Codable, Equatable {
    /// The metadata entry's name.
    static let name = "whittle"
    static let currentVersion = 1

    struct Operator: Codable, Equatable {
        /// The node this operator is; nil for an operator the exporter added (absorbed on import).
        var node: String?
        /// The node's weight format when not dense (`WeightFormat.name`: "index", "bitmap", "2:4").
        var weights: String?
    }

    var version: Int
    /// One per operator of the subgraph, in order.
    var operators: [Operator]
    var inputDescription: String?
    var rawInputTable: [Int8]?

    enum CodingKeys: String, CodingKey {
        case version, operators
        case inputDescription = "input_description", rawInputTable = "raw_input_table"
    }

    init(operators: [Operator], inputDescription: String?, rawInputTable: [Int8]?) {
        version = Self.currentVersion
        self.operators = operators
        self.inputDescription = inputDescription
        self.rawInputTable = rawInputTable
    }

    var entry: TFLiteMetadata {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain strings, integers and arrays cannot fail.
        return TFLiteMetadata(name: Self.name, data: Array(try! encoder.encode(self)))
    }

    /// The entry of `model`, checked against its operators; nil when the model has none (it was
    /// not exported by whittle).
    init?(of model: TFLiteModel) throws {
        guard let entry = model.metadata.first(where: { $0.name == Self.name }) else { return nil }
        func fail(_ problem: String) -> TFLiteImportError { TFLiteImportError("metadata '\(Self.name)': \(problem)") }
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(entry.data))
        } catch {
            throw fail("not whittle's JSON (\(String(describing: error).prefix(200)))")
        }
        guard version == Self.currentVersion else {
            throw fail("version \(version); this whittle reads version \(Self.currentVersion)")
        }
        guard operators.count == model.operators.count else {
            throw fail("describes \(operators.count) operators; the model has \(model.operators.count)")
        }
        if let table = rawInputTable, table.count != 256 {
            throw fail("the raw-input table has \(table.count) entries, not 256")
        }
        if let bad = operators.lazy.compactMap(\.weights).first(where: { WeightFormat(name: $0) == nil }) {
            throw fail("unknown weight format '\(bad.prefix(40))'")
        }
    }
}

extension WhittleMetadata {
    /// `graph` (verified, weights dense) with each node's weights stored in the format the
    /// metadata names for it.
    func restoringWeightFormats(of graph: QGraph) throws -> QGraph {
        var formats: [String: WeightFormat] = [:]
        for op in operators {
            if let node = op.node, let name = op.weights, let format = WeightFormat(name: name) { formats[node] = format }
        }
        var result = graph
        for (i, node) in graph.nodes.enumerated() {
            guard let format = formats[node.name], let logical = node.op.weights?.denseValues, let outputs = node.op.outputChannels else { continue }
            do {
                let storage = try WeightStorage(encoding: logical, as: format, outputs: outputs, channels: graph.reductionChannels(of: node))
                result.nodes[i].op = node.op.replacingWeights(storage)
            } catch {
                throw TFLiteImportError("metadata '\(Self.name)': layer '\(node.name)' cannot be stored \(format.name): \(error)")
            }
        }
        return result
    }
}
