import Foundation
import WhittleCodegen
import WhittleIR
import XCTest

/// `ModelSourceLayout` reads the model.c that `ModelSourcePrinter` writes: one line range per
/// kernel call, in the order of whittle.json's layers with a kernel, each starting at its layer's
/// comment and holding its call; reshapes (no call) and folded pools (no call of their own) have
/// none. `verify --profile` charges instructions to layers by these ranges.
final class ModelSourceLayoutTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)

    func testCallLinesFollowThePrintedLayers() throws {
        let scratch = try makeScratchFolder("layout")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let host = try TargetDescriptor.load(named: "host", from: resources)
        let graphs = [("lenet", SampleGraphs.leNet(seed: 3)), ("residual", SampleGraphs.randomResidual(seed: 5)),
                      ("branching", SampleGraphs.randomBranching(seed: 8))]
        for (name, graph) in graphs {
            let folder = scratch.appendingPathComponent(name)
            try Emitter.emit(graph, options: EmitOptions(target: host, modelName: name, vectorCount: 1), resources: resources, to: folder)
            let text = try String(contentsOf: folder.appendingPathComponent("model.c"), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let layers = try EmitManifest.read(from: folder).layers.filter(\.callsKernel)
            let calls = try XCTUnwrap(ModelSourceLayout.callLines(in: text), name)
            XCTAssertEqual(calls.count, layers.count, name)
            XCTAssertFalse(calls.isEmpty, name)
            for (range, layer) in zip(calls, layers) {
                XCTAssertTrue(lines[range.lowerBound - 1].hasPrefix("    /* \(layer.name): "), "\(name): \(lines[range.lowerBound - 1])")
                XCTAssertEqual(lines[range.upperBound - 1], "    }", name)
                XCTAssertTrue(lines[(range.lowerBound - 1)..<range.upperBound].contains { $0.contains("        \(layer.kernel)(") },
                              "\(name): the block of \(layer.name) calls \(layer.kernel)")
            }
            XCTAssertTrue(zip(calls, calls.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound }, name)
        }
        XCTAssertNil(ModelSourceLayout.callLines(in: "int main(void) { return 0; }\n"))
    }
}
