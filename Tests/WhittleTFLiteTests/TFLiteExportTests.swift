import Foundation
import WhittleCodegen
import WhittleIR
import WhittleTFLite
import XCTest

/// The exporter: a graph written as a `.tflite` file and imported again is the graph it was
/// (only the validation set stays behind), for the graphs Whittle makes — the example LeNets,
/// random chains, residual and branching graphs, with float32 scales — and `emit` writes the same
/// C for both; MLPerf Tiny's models go through import, export and import unchanged; what TFLite
/// cannot hold is one line naming the layer.
final class TFLiteExportTests: XCTestCase {
    private let resources = WhittleResources(root: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent())

    /// `graph` exported, written, read and imported.
    static func roundTrip(_ graph: QGraph) throws -> QGraph {
        let bytes = TFLiteWriter.encode(try TFLiteExporter.export(graph))
        return try TFLiteImporter.importModel(try TFLiteReader.decode(bytes), modelName: "m.tflite").graph
    }

    static func withoutValidation(_ graph: QGraph) -> QGraph {
        var graph = graph
        graph.validation = nil
        return graph
    }

    /// The four example LeNets (dense, index-sparse, 2:4, filter-pruned) with float32 scales.
    static func leNets() throws -> [(name: String, graph: QGraph)] {
        try SampleGraphs.exampleLeNets(dense: SampleGraphs.leNet(seed: 11, validationCount: 3), seed: 11).map { ($0.name, Float32Scales.rounded($0.graph)) }
    }

    private func exportError(_ graph: QGraph) -> String {
        do {
            _ = try TFLiteExporter.export(graph)
            return "exported"
        } catch {
            return "\(error)"
        }
    }

    func testExampleLeNetsRoundTrip() throws {
        for (name, graph) in try Self.leNets() {
            XCTAssertEqual(try Self.roundTrip(graph), Self.withoutValidation(graph), name)
        }
        // The raw-input table and the input description come back too.
        var graph = try Self.leNets()[0].graph
        graph.rawInputTable = (0..<256).map { Int8(truncatingIfNeeded: $0 / 2 - 64) }
        graph.inputDescription = "28x28 pixels, x = raw / 255"
        XCTAssertEqual(try Self.roundTrip(graph), Self.withoutValidation(graph))
    }

    /// LeNet as TFLite sees it: the operators, shapes, per-channel weights and int32 biases.
    func testLeNetModel() throws {
        let graph = try Self.leNets()[0].graph
        let model = try TFLiteExporter.export(graph)
        XCTAssertEqual(model.operators.map(\.kind.description),
                       ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"])
        XCTAssertEqual(model.tensors[model.inputs[0]].shape, [1, 28, 28, 1])
        XCTAssertEqual(model.tensors[model.outputs[0]].shape, [1, 10])
        let conv = model.operators[0]
        // ReLU into an output of zero point −128 clamps nothing: NONE.
        guard case .conv(.valid, 1, 1, 1, 1, .none) = conv.options else { return XCTFail("\(conv.options)") }
        let weights = model.tensors[conv.inputs[1]], bias = model.tensors[conv.inputs[2]]
        XCTAssertEqual(weights.shape, [6, 5, 5, 1])
        XCTAssertEqual(weights.type, .int8)
        XCTAssertEqual(weights.quantization?.scales.count, 6)
        XCTAssertEqual(weights.quantization?.dimension, 0)
        XCTAssertEqual(bias.type, .int32)
        XCTAssertEqual(bias.data.count, 24)
        guard case .conv2d(let c) = graph.nodes[0].op else { return XCTFail() }
        XCTAssertEqual(bias.quantization?.scales[2], Float(graph.inputTensor.quant.scale * c.weightScales[2]))
        let fc = model.operators[5]
        XCTAssertEqual(model.tensors[fc.inputs[0]].shape, [1, 256])
        XCTAssertEqual(model.tensors[fc.outputs[0]].shape, [1, 120])
        XCTAssertEqual(model.tensors[fc.inputs[1]].quantization?.scales.count, 120, "LeNet's sample scales differ per output: per channel")
        XCTAssertEqual(model.metadata.map(\.name), ["whittle"])
    }

    /// Random chains, residual and branching graphs: every one that exports comes back equal;
    /// the others have a pool whose padding TFLite cannot express.
    func testRandomGraphsRoundTrip() throws {
        var exported = 0, refused = 0
        var seen = Set<String>()
        for seed in 0..<150 {
            for graph in [SampleGraphs.random(seed: UInt64(seed)), SampleGraphs.randomResidual(seed: UInt64(seed)),
                          SampleGraphs.randomBranching(seed: UInt64(seed))].map(Float32Scales.rounded) {
                let model: TFLiteModel
                do {
                    model = try TFLiteExporter.export(graph)
                } catch {
                    let message = "\(error)"
                    XCTAssertTrue(message.hasPrefix("layer '") && message.contains("neither TFLite's SAME nor VALID"), message)
                    XCTAssertFalse(message.contains("\n"))
                    refused += 1
                    continue
                }
                exported += 1
                let back = try TFLiteImporter.importModel(try TFLiteReader.decode(TFLiteWriter.encode(model)), modelName: "m").graph
                XCTAssertEqual(back, Self.withTFLitePoolPadding(graph, like: back), "seed \(seed)")
                let ops = model.operators.map(\.kind.description)
                seen.formUnion(ops)
                if ops.count > graph.nodes.count { seen.insert("added") }
                if graph.nodes.contains(where: { $0.op.weights.map { $0.format != .dense } ?? false }) { seen.insert("sparse") }
            }
        }
        XCTAssertGreaterThan(exported, refused, "\(exported) exported, \(refused) refused")
        XCTAssertEqual(seen, ["CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "RESHAPE", "ADD", "PAD",
                              "SOFTMAX", "MEAN", "added", "sparse"])
    }

    /// `graph` with each pool window that differs from `other`'s only in padding after the input
    /// (which adds no output: the export gave it TFLite's SAME or VALID) taken from `other`.
    static func withTFLitePoolPadding(_ graph: QGraph, like other: QGraph) -> QGraph {
        var result = graph
        for (i, (node, twin)) in zip(graph.nodes, other.nodes).enumerated() {
            switch (node.op, twin.op) {
            case (.maxPool(var p), .maxPool(let q)), (.averagePool(var p), .averagePool(let q)):
                guard p.window.kernelHeight == q.window.kernelHeight, p.window.kernelWidth == q.window.kernelWidth,
                      p.window.strideHeight == q.window.strideHeight, p.window.strideWidth == q.window.strideWidth,
                      p.window.padTop == q.window.padTop, p.window.padLeft == q.window.padLeft else { continue }
                p.window = q.window
                result.nodes[i].op = node.op.kindName == "max_pool" ? .maxPool(p) : .averagePool(p)
            default:
                continue
            }
        }
        return result
    }

    /// `emit` of the imported export writes the same model.c, model_weights.c and kernels as
    /// `emit` of the graph.
    func testEmitWritesTheSameC() throws {
        let host = try TargetDescriptor.load(named: "host", from: resources)
        let random = (0..<40).lazy.map { Float32Scales.rounded(SampleGraphs.randomResidual(seed: UInt64($0))) }
            .filter { (try? TFLiteExporter.export($0)) != nil }
        var graphs = try Self.leNets().map(\.graph) + Array(random.prefix(4))
        // Emit's own lowered graph, its max pools folded into the convs: CONV_2D + MAX_POOL_2D each.
        let lowered = try Emitter.emission(of: graphs[0], options: EmitOptions(target: host, modelName: "m.q"), resources: resources).loweredGraph
        XCTAssertEqual(try TFLiteExporter.export(lowered).operators.filter { $0.kind == .maxPool2D }.count, 2)
        graphs.append(lowered)
        for (i, graph) in graphs.enumerated() {
            func files(_ g: QGraph) throws -> [String: [UInt8]] {
                let emission = try Emitter.emission(of: g, options: EmitOptions(target: host, modelName: "m.q"), resources: resources)
                return Dictionary(uniqueKeysWithValues: emission.files.filter {
                    ["model.c", "model_weights.c"].contains($0.path) || $0.path.hasPrefix("kernels/")
                }.map { ($0.path, $0.bytes) })
            }
            let (original, again) = (try files(graph), try files(try Self.roundTrip(graph)))
            XCTAssertEqual(original.keys.sorted(), again.keys.sorted(), "graph \(i)")
            for (path, bytes) in original { XCTAssertTrue(again[path] == bytes, "graph \(i): \(path) differs") }
        }
    }

    /// MLPerf Tiny's models: import, export, import gives the graph of the first import.
    func testMLPerfTinyModelsComeBackUnchanged() throws {
        for name in ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"] {
            let graph = try TFLiteImporter.importModel(try TFLiteImportTests.model(name), modelName: "\(name).tflite").graph
            XCTAssertEqual(try Self.roundTrip(graph), graph, name)
        }
    }

    /// A conv whose padding is neither SAME nor VALID gets a PAD before it, which the import
    /// absorbs again; a fully connected layer of a spatial input writes [1, N], reshaped to
    /// [1, 1, 1, N] for the conv after it.
    func testOperatorsTheExporterAdds() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 8, width: 8, channels: 2), inputQuant: QuantParams(scale: 0.5, zeroPoint: 3),
                              inputDescription: "test")
        var x = try b.conv2d(b.input, name: "conv", weights: (0..<36).map { Int8($0 - 18) }, weightScales: [0.25, 0.125], bias: [10, -10],
                             outputChannels: 2, window: Window2D(kernel: 3, stride: 2, padding: 1), output: QuantParams(scale: 2, zeroPoint: -5),
                             activation: .none)
        x = try b.fullyConnected(x, name: "fc", weights: (0..<96).map { Int8($0 % 7 - 3) }, weightScales: [0.5, 0.5, 0.5], bias: [1, 2, 3],
                                 outputCount: 3, output: QuantParams(scale: 4, zeroPoint: 0), activation: .relu)
        x = try b.conv2d(x, name: "pointwise", weights: [1, 2, 3], weightScales: [0.5], bias: [0], outputChannels: 1,
                         window: Window2D(kernel: 1), output: QuantParams(scale: 1, zeroPoint: 0), activation: .none)
        let graph = try b.finish(output: x)
        let model = try TFLiteExporter.export(graph)
        XCTAssertEqual(model.operators.map(\.kind.description), ["PAD", "CONV_2D", "FULLY_CONNECTED", "RESHAPE", "CONV_2D"])
        XCTAssertEqual(model.tensors[model.operators[0].outputs[0]].shape, [1, 10, 10, 2])
        XCTAssertEqual(model.tensors[model.operators[2].inputs[1]].quantization?.scales, [0.5], "equal scales: per tensor")
        XCTAssertEqual(model.tensors[model.operators[2].outputs[0]].shape, [1, 3])
        XCTAssertEqual(model.tensors[model.operators[3].outputs[0]].shape, [1, 1, 1, 3])
        XCTAssertEqual(try Self.roundTrip(graph), graph)
        // The reference interpreter runs the TFLite form (PAD and RESHAPE as nodes) to the same outputs.
        var plain = try TFLiteReader.decode(TFLiteWriter.encode(model))
        plain.metadata = []
        let unabsorbed = try TFLiteImporter.importModel(plain, modelName: "m").graph
        XCTAssertEqual(unabsorbed.nodes.map(\.op.kindName), ["pad", "conv2d", "fully_connected", "reshape", "conv2d"])
        let inputs = (0..<(20 * 128)).map { Int8(truncatingIfNeeded: $0 &* 37) }
        XCTAssertEqual(try ReferenceInterpreter(graph: unabsorbed).run(batch: inputs, count: 20),
                       try ReferenceInterpreter(graph: graph).run(batch: inputs, count: 20))
    }

    /// PAD (spatial and channels, rank 4 and rank 2), MEAN with and without keep_dims, SOFTMAX
    /// over pixels and over a vector, an add of two fully connected outputs.
    func testPadMeanSoftmaxAndAdd() throws {
        var b = QGraphBuilder(inputShape: TensorShape(height: 5, width: 4, channels: 3), inputQuant: QuantParams(scale: 0.5, zeroPoint: -7),
                              inputDescription: "test")
        var x = try b.pad(b.input, name: "pad", top: 1, right: 2, channelsAfter: 1)
        x = try b.conv2d(x, name: "conv", weights: (0..<(4 * 4 * 9)).map { Int8($0 % 11 - 5) }, weightScales: [0.25, 0.125, 0.5, 0.25],
                         bias: [10, -10, 0, 5], outputChannels: 4, window: Window2D(kernel: 3, padding: 1), output: QuantParams(scale: 2, zeroPoint: -5),
                         activation: .relu6)
        let pixels = try b.softmax(x, name: "softmax_pixels")
        let kept = try b.mean(pixels, name: "mean_kept", output: QuantParams(scale: 0.0078125, zeroPoint: -100), keepDims: true)
        let flat = try b.mean(x, name: "mean", output: QuantParams(scale: 1, zeroPoint: 3), keepDims: false)
        x = try b.pad(flat, name: "pad_channels", channelsBefore: 2)
        let fc = try b.fullyConnected(x, name: "fc", weights: (0..<24).map { Int8($0 - 12) }, weightScales: [0.5, 0.25, 0.5, 0.5],
                                      bias: [1, 2, 3, 4], outputCount: 4, output: QuantParams(scale: 4, zeroPoint: 0), activation: .none)
        let keptFC = try b.fullyConnected(kept, name: "fc_kept", weights: (0..<16).map { Int8($0 - 8) }, weightScales: [0.5, 0.5, 0.5, 0.5],
                                          bias: [0, 0, 0, 0], outputCount: 4, output: QuantParams(scale: 2, zeroPoint: 1), activation: .none)
        let sum = try b.add(fc, keptFC, name: "sum", output: QuantParams(scale: 8, zeroPoint: 0))
        let probabilities = try b.softmax(sum, name: "softmax")
        let graph = try b.finish(output: probabilities)
        let model = try TFLiteExporter.export(graph)
        // The add joins fc_kept, whose input MEAN keeps as [1, 1, 1, 4]: the whole vector side is
        // rank 4, so the [1, 4] of the MEAN without keep_dims is reshaped.
        XCTAssertEqual(model.operators.map(\.kind.description),
                       ["PAD", "CONV_2D", "SOFTMAX", "MEAN", "MEAN", "RESHAPE", "PAD", "FULLY_CONNECTED", "FULLY_CONNECTED", "ADD", "SOFTMAX"])
        func shape(_ op: Int) -> [Int] { model.tensors[model.operators[op].outputs[0]].shape }
        XCTAssertEqual([shape(0), shape(3), shape(4), shape(5), shape(6), shape(10)],
                       [[1, 6, 6, 4], [1, 1, 1, 4], [1, 4], [1, 1, 1, 4], [1, 1, 1, 6], [1, 1, 1, 4]])
        XCTAssertEqual(try Self.roundTrip(graph), graph)

        // A vector model stays rank 2: PAD of the channels as [[0, 0], [2, 0]].
        var v = QGraphBuilder(inputShape: TensorShape(vector: 6), inputQuant: QuantParams(scale: 0.5, zeroPoint: 1), inputDescription: "test")
        let padded = try v.pad(v.input, name: "pad", channelsBefore: 2)
        let out = try v.fullyConnected(padded, name: "fc", weights: (0..<16).map { Int8($0 - 8) }, weightScales: [0.5, 0.25], bias: [3, -3],
                                       outputCount: 2, output: QuantParams(scale: 2, zeroPoint: 0), activation: .relu)
        let vector = try v.finish(output: out)
        let vectorModel = try TFLiteExporter.export(vector)
        XCTAssertEqual(vectorModel.tensors.prefix(3).map(\.shape), [[1, 6], [1, 8], [1, 2]])
        XCTAssertEqual(vectorModel.tensors[vectorModel.operators[0].inputs[1]].shape, [2, 2])
        XCTAssertEqual(try Self.roundTrip(vector), vector)
    }

    /// A whittle metadata entry that does not fit the model is one line naming it.
    func testBadWhittleMetadataIsOneLine() throws {
        let model = try TFLiteExporter.export(try Self.leNets()[0].graph)
        func importError(_ json: String) -> String {
            var m = model
            m.metadata = [TFLiteMetadata(name: "whittle", data: Array(json.utf8))]
            do {
                _ = try TFLiteImporter.importModel(m, modelName: "m")
                return "imported"
            } catch {
                return "\(error)"
            }
        }
        let eight = (0..<8).map { #"{"node": "n\#($0)"}"# }.joined(separator: ", ")
        XCTAssertEqual(importError(#"{"version": 1, "operators": [\#(eight)]}"#), "imported")
        XCTAssertTrue(importError("not json").hasPrefix("metadata 'whittle': not whittle's JSON ("))
        XCTAssertEqual(importError(#"{"version": 2, "operators": []}"#), "metadata 'whittle': version 2; this whittle reads version 1")
        XCTAssertEqual(importError(#"{"version": 1, "operators": []}"#), "metadata 'whittle': describes 0 operators; the model has 8")
        XCTAssertEqual(importError(#"{"version": 1, "operators": [\#(eight)], "raw_input_table": [1, 2]}"#),
                       "metadata 'whittle': the raw-input table has 2 entries, not 256")
        let weights = #"{"node": "c", "weights": "5:4"}, "# + (1..<8).map { #"{"node": "n\#($0)"}"# }.joined(separator: ", ")
        XCTAssertEqual(importError(#"{"version": 1, "operators": [\#(weights)]}"#), "metadata 'whittle': unknown weight format '5:4'")
        let dense = #"{"node": "c", "weights": "1:8"}, "# + (1..<8).map { #"{"node": "n\#($0)"}"# }.joined(separator: ", ")
        XCTAssertTrue(importError(#"{"version": 1, "operators": [\#(dense)]}"#).hasPrefix("metadata 'whittle': layer 'c' cannot be stored 1:8: "))
        let added = (0..<8).map { _ in #"{"node": null}"# }.joined(separator: ", ")
        XCTAssertTrue(importError(#"{"version": 1, "operators": [\#(added)]}"#)
            .hasPrefix("operator 0 (CONV_2D): is marked in the whittle metadata as added by the exporter"))
    }

    /// What TFLite cannot hold: one line naming the layer and what to do.
    func testWhatItCannotExportIsOneLineNamingTheLayer() throws {
        // Scales that float32 rounds: TFLite would derive other multipliers.
        var error = exportError(SampleGraphs.leNet(seed: 11))
        XCTAssertTrue(error.hasPrefix("layer 'conv1' (conv2d): TFLite derives output channel 0's multiplier from the float32 scales as (M0 "), error)
        XCTAssertTrue(error.contains("--float32-scales"), error)
        XCTAssertFalse(error.contains("\n"))

        // A pool whose padding is neither SAME nor VALID.
        var b = QGraphBuilder(inputShape: TensorShape(height: 8, width: 8, channels: 1), inputQuant: QuantParams(scale: 0.5, zeroPoint: 0),
                              inputDescription: "test")
        let pooled = try b.maxPool(b.input, name: "pool", window: Window2D(kernel: 3, stride: 2, padding: 1))
        error = exportError(try b.finish(output: pooled))
        XCTAssertTrue(error.hasPrefix("layer 'pool' (max_pool): its 3x3 window, stride 2x2, padding top 1 left 1 bottom 1 right 1 over 8x8x1"), error)

        // A clamp that is no fused activation.
        var graph = try Self.leNets()[0].graph
        guard case .fullyConnected(var fc) = graph.nodes[7].op else { return XCTFail() }
        fc.clamp = ClampRange(min: -100, max: 100)
        graph.nodes[7].op = .fullyConnected(fc)
        error = exportError(graph)
        XCTAssertTrue(error.hasPrefix("layer 'fc3' (fully_connected): clamps to -100…100, which no TFLite fused activation gives"), error)
    }
}
