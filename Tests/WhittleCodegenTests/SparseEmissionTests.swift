import Foundation
import WhittleCodegen
import WhittleIR
import XCTest

/// What emit prints for sparse layers: the tables are the stored formats byte for byte (so the
/// IR's footprint is the flash the C takes), the kernels and their scratch are declared, and a
/// dense model's files do not change.
final class SparseEmissionTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)
    private var host: TargetDescriptor { try! TargetDescriptor.load(named: "host", from: resources) }

    /// LeNet with conv1 index-sparse, conv2 N:M 2:4, fc1 bitmap, fc2 index, fc3 dense.
    private func sparseLeNet() throws -> QGraph {
        var graph = SampleGraphs.leNet(seed: 12)
        let formats: [String: WeightFormat] = ["conv1": .indexSparse, "conv2": .nm(n: 2, m: 4), "fc1": .bitmap, "fc2": .indexSparse]
        for (i, node) in graph.nodes.enumerated() {
            guard let format = formats[node.name] else { continue }
            let channels = graph.reductionChannels(of: node)
            func sparse(_ w: WeightStorage, _ outputs: Int) throws -> WeightStorage {
                // Keep two of every four weights in PyTorch group order (satisfies every format).
                let probe = NMSparseWeights(n: 2, m: 4, outputs: outputs, perOutput: w.count / outputs, channels: channels, values: [], indices: [])
                var values = w.denseValues
                for o in 0..<outputs {
                    for q in 0..<probe.perOutput where q % 4 >= 2 && q < probe.perOutput / 4 * 4 {
                        values[o * probe.perOutput + probe.logicalIndex(ofGroupPosition: q)] = 0
                    }
                }
                return try WeightStorage(encoding: values, as: format, outputs: outputs, channels: channels)
            }
            switch node.op {
            case .conv2d(var conv):
                conv.weights = try sparse(conv.weights, conv.bias.count)
                graph.nodes[i].op = .conv2d(conv)
            case .fullyConnected(var fc):
                fc.weights = try sparse(fc.weights, fc.bias.count)
                graph.nodes[i].op = .fullyConnected(fc)
            default:
                break
            }
        }
        return graph
    }

    private func text(_ emission: Emission, _ path: String) -> String {
        String(decoding: emission.files.first { $0.path == path }!.bytes, as: UTF8.self)
    }

    func testTablesAreTheFootprint() throws {
        let graph = try sparseLeNet()
        let emission = try Emitter.emission(of: graph, options: EmitOptions(target: host, modelName: "sparse.q", vectorCount: 2, passes: .stored),
                                            resources: resources)
        let footprints = LayerFootprint.of(graph)
        let layers = emission.manifest.layers.filter { $0.weightFormat != nil }
        XCTAssertEqual(layers.map(\.weightFormat), ["index", "2:4", "bitmap", "index", "dense"])
        XCTAssertEqual(layers.map(\.kernel), ["conv2d_s8_sparse", "conv2d_s8_nm", "fc_s8_bitmap", "fc_s8_sparse", "fc_s8"])
        XCTAssertEqual(layers.map(\.constantBytes), footprints.map(\.flashBytes))
        XCTAssertEqual(layers.map(\.denseConstantBytes), footprints.map(\.denseFlashBytes))
        XCTAssertEqual(layers.map(\.executedMacs), footprints.map(\.executedMACs))
        XCTAssertEqual(emission.manifest.constantBytes, footprints.map(\.flashBytes).reduce(0, +))
        XCTAssertEqual(emission.manifest.macs, 281_640)
        XCTAssertLessThan(emission.manifest.executedMacs, 281_640 * 6 / 10)
        // The gather kernel comes before the convs that call it; scratch is declared once.
        XCTAssertEqual(emission.manifest.kernels, ["conv2d_s8_gather", "conv2d_s8_sparse", "conv2d_s8_nm",
                                                   "fc_s8_bitmap", "fc_s8_sparse", "fc_s8"])
        let model = text(emission, "model.c")
        XCTAssertTrue(model.contains("static int32_t scratch[\(emission.plan.scratchBytes / 4)];"), model)
        let needs = emission.plan.steps.compactMap { $0.call?.scratchBytes }
        XCTAssertEqual(needs.count, 2, "the two sparse convs decode taps into scratch")
        XCTAssertEqual(emission.plan.scratchBytes, (needs.max()! + 3) / 4 * 4)
        let weights = text(emission, "model_weights.c")
        for table in ["conv1_gaps", "conv1_counts", "conv2_indices", "fc1_masks", "fc2_gaps"] {
            XCTAssertTrue(weights.contains("static const uint8_t \(table)[] = {"), table)
            XCTAssertTrue(weights.contains("WHITTLE_STATIC_ASSERT(sizeof(\(table)) =="), table)
        }
    }

    /// A dense model's emission is what it was before sparse formats existed: no scratch, no
    /// sparse kernel, no position table.
    func testDenseModelEmitsNoSparseMachinery() throws {
        let emission = try Emitter.emission(of: SampleGraphs.leNet(seed: 12), options: EmitOptions(target: host, modelName: "dense.q", vectorCount: 2, passes: .stored),
                                            resources: resources)
        XCTAssertEqual(emission.manifest.kernels, ["conv2d_s8", "fc_s8"])
        XCTAssertEqual(emission.plan.scratchBytes, 0)
        XCTAssertEqual(emission.manifest.executedMacs, emission.manifest.macs)
        XCTAssertFalse(text(emission, "model.c").contains("scratch"))
        XCTAssertFalse(text(emission, "model_weights.c").contains("uint8_t"))
        XCTAssertFalse(text(emission, "model_weights.c").contains("Sparse"))
    }
}
