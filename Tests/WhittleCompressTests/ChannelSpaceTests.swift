import XCTest
import WhittleCompress
import WhittleNN

/// The channel-dependency analysis: which layers' channels are one space, and which are fixed.
final class ChannelSpaceTests: XCTestCase {
    /// Prunable spaces as lists of their producers, depthwise convs, BatchNorms and readers.
    func layout(_ g: Graph) -> [[String]] {
        let spaces = ChannelSpaces(g)
        return spaces.spaces.filter(\.isPrunable).map { s in
            [s.producers, s.depthwise, s.batchNorms].map { $0.map { g.nodes[$0].name }.joined(separator: " ") }
                + ["→ " + s.readers.map { g.nodes[$0].name }.joined(separator: " ")]
        }
    }

    func testResNetSkipsCoupleTheStemWithStageOneAndEachStageWithItsSkipConv() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.resnet8())
        XCTAssertEqual(layout(g), [
            ["stem s1c2", "", "stembn s1b2", "→ s1c1 s2c1 s2skip"],
            ["s1c1", "", "s1b1", "→ s1c2"],
            ["s2c1", "", "s2b1", "→ s2c2"],
            ["s2c2 s2skip", "", "s2b2 s2skipbn", "→ s3c1 s3skip"],
            ["s3c1", "", "s3b1", "→ s3c2"],
            ["s3c2 s3skip", "", "s3b2 s3skipbn", "→ fc"],
        ])
        let spaces = ChannelSpaces(g), fc = g.index(of: "fc")!
        XCTAssertEqual(spaces.space(of: fc).fixed, [.modelOutput])
        XCTAssertEqual(spaces.whyOutputsFixed(fc), "its outputs are the model's outputs")
        XCTAssertEqual(spaces.reads[fc].block, 1, "GAP leaves one feature per channel")
        XCTAssertEqual(spaces.space(of: g.index(of: "s1add")!).joins.map { g.nodes[$0].name }, ["s1add"])
        XCTAssertEqual(spaces.input.space, spaces.inputSpace(of: 0).id)
        XCTAssertEqual(spaces.whyInputsFixed(0), "it reads the model input, whose channels cannot be removed (prune its filters instead)")
    }

    func testDepthwiseConvsJoinTheSpaceTheyRead() throws {
        let g = try GraphNetFixtures.graph(GraphNetFixtures.dscnn)
        XCTAssertEqual(layout(g), [
            ["conv0", "dw1", "bn0 dwbn1", "→ pw1"],
            ["pw1", "dw2", "pwbn1 dwbn2", "→ pw2"],
            ["pw2", "", "pwbn2", "→ fc"],
        ])
        let layers = PrunableLayer.all(in: g)
        XCTAssertEqual(layers.filter(\.isDepthwise).map(\.name), ["dw1", "dw2"])
        XCTAssertEqual(layers.first { $0.name == "dw1" }?.batchNorms.map(\.name), ["bn0", "dwbn1"])
    }

    func testAFlattenGivesEachChannelABlockOfFeatures() throws {
        let g = try PruningFixtures.smallConvGraph()
        let spaces = ChannelSpaces(g)
        XCTAssertEqual(spaces.reads[g.index(of: "fc1")!], ChannelSpaces.View(space: spaces.space(of: g.index(of: "conv2")!).id, block: 4))
        XCTAssertEqual(layout(g).map { $0[0] }, ["conv1", "conv2", "fc1"], "a chain: one space per layer but the last")
    }

    func testWhatTheAnalysisCannotFollowIsFixedAndSaysWhy() throws {
        func check(_ layers: String, _ name: String, _ granularity: PruneGranularity, _ fragment: String,
                   file: StaticString = #filePath, line: UInt = #line) throws {
            let g = try GraphNetFixtures.spec(layers).buildGraph()
            var prune = PruneSpec()
            prune.granularity = granularity
            XCTAssertFalse(PruneRun(prune, file: "x.json").targetLayers(g).contains(name), "not a default target", file: file, line: line)
            XCTAssertThrowsError(try StructuredSurgery.check(g, layers: [name], granularity: granularity), file: file, line: line) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("layer '\(name)': ") && text.contains(fragment) && !text.contains("\n"), text, file: file, line: line)
            }
        }
        let conv = #"{"name": "c", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1}"#
        let tail = #"{"type": "global_avgpool"}, {"type": "flatten"}, {"name": "fc", "type": "linear", "out_features": 2}"#
        // A grouped conv (groups 2) and a depth multiplier of 2 (groups == in, out = 2·in) fix what they read and write.
        try check("[\(conv), {\"name\": \"g\", \"type\": \"conv2d\", \"out_channels\": 4, \"groups\": 2, \"kernel\": 1}, \(tail)]", "c", .filter,
                  "pass through 'g' (conv2d, groups 2, 4 → 4 channels), which channel pruning cannot follow")
        try check("[\(conv), {\"name\": \"m\", \"type\": \"conv2d\", \"out_channels\": 8, \"groups\": 4, \"kernel\": 3}, \(tail)]", "m", .filter,
                  "it is 'm' (conv2d, groups 4, 4 → 8 channels), whose filters cannot be removed one by one")
        try check("[\(conv), {\"name\": \"m\", \"type\": \"conv2d\", \"out_channels\": 8, \"groups\": 4, \"kernel\": 3}, \(tail)]", "fc", .channel,
                  "its input channels pass through 'm'")
        // An add with the model input ties the conv's channels to the input's.
        try check(#"[{"name": "c", "type": "conv2d", "out_channels": 1, "kernel": 3, "padding": 1}, {"name": "sum", "type": "add", "inputs": ["input", "c"]}, \#(tail)]"#,
                  "c", .filter, "its outputs are added to the model input (joined by 'sum')")
        // A depthwise conv reads one channel per filter.
        try check("[\(conv), {\"name\": \"dw\", \"type\": \"conv2d\", \"out_channels\": 4, \"groups\": 4, \"kernel\": 3}, \(tail)]", "dw", .channel,
                  "depthwise")
    }
}
