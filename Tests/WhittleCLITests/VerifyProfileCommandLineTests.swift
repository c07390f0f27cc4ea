import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// `whittle verify DIR --target cortex-m4 --profile`: a row per layer with its instructions,
/// estimated cycles and share, the total, and the check against the plain count; in --json the
/// same under each target's `profile`, keys in snake_case. A target without a timing table: exit 2
/// and one line naming it.
final class VerifyProfileCommandLineTests: XCTestCase {
    private var scratch: URL!
    private let resources = WhittleResources(root: CLI.root)

    override func setUp() { scratch = CLI.temporaryFolder() }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func emitLeNet() throws -> URL {
        let folder = scratch.appendingPathComponent("lenet")
        let host = try TargetDescriptor.load(named: "host", from: resources)
        try Emitter.emit(SampleGraphs.leNet(seed: 3), options: EmitOptions(target: host, modelName: "lenet", vectorCount: 2),
                         resources: resources, to: folder)
        return folder
    }

    func testProfileWithoutTimingTableNamesTheTarget() throws {
        let folder = try emitLeNet()
        CLI.expectFailure(try CLI.run(["verify", folder.path, "--profile", "--no-sanitize"]), status: 2,
                          ["--profile: target 'host' has no timing table (field 'timing' of targets/host.json)", "cortex-m4"])
        CLI.expectFailure(try CLI.run(["verify", folder.path, "--target", "host", "--profile", "--no-sanitize"]), status: 2,
                          ["target 'host' has no timing table"])
    }

    func testProfileOnCortexM4() throws {
        let m4 = try TargetDescriptor.load(named: "cortex-m4", from: resources)
        let missing = Toolchain.missing(for: m4)
        try XCTSkipUnless(missing.isEmpty, "cortex-m4 skipped (install \(missing.map(\.package).joined(separator: " ")))")
        let folder = try emitLeNet()

        let text = try CLI.run(["verify", folder.path, "--target", "cortex-m4", "--profile"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("profile on cortex-m4, per inference (mean of 2)"), text.stdout)
        let rows = text.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        for layer in ["conv1", "conv2", "fc1", "fc2", "fc3", "total"] {
            let row = try XCTUnwrap(rows.first { $0.first.map(String.init) == layer }, "no row for \(layer) in\n\(text.stdout)")
            XCTAssertTrue(row.last == "%", "\(row)")
        }
        XCTAssertTrue(text.stdout.contains("model_invoke call and return"), text.stdout)
        XCTAssertTrue(text.stdout.contains("timing: Cortex-M4 TRM"), text.stdout)
        XCTAssertTrue(text.stdout.contains("the parts add up to the plain run's count exactly"), text.stdout)

        let json = try CLI.json(try CLI.run(["verify", folder.path, "--target", "cortex-m4", "--profile", "--json"]))
        let entry = try XCTUnwrap((json["targets"] as? [[String: Any]])?.first)
        let profile = try XCTUnwrap(entry["profile"] as? [String: Any], "\(entry.keys)")
        let layers = try XCTUnwrap(profile["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.compactMap { $0["layer"] as? String }, ["conv1", "conv2", "fc1", "fc2", "fc3"])
        for layer in layers {
            XCTAssertGreaterThan(layer["instructions"] as? Int ?? 0, 0)
            XCTAssertGreaterThanOrEqual(layer["cycles"] as? Int ?? 0, layer["instructions"] as? Int ?? 0)
            XCTAssertNotNil((layer["classes"] as? [[String: Any]])?.first { $0["name"] as? String == "dsp_multiply" }, "\(layer)")
        }
        XCTAssertNotNil(profile["call_overhead"] as? [String: Any])
        XCTAssertEqual(profile["counted_instructions"] as? Int, profile["unprofiled_instructions"] as? Int)
        XCTAssertEqual(profile["instructions"] as? Int, ((entry["measurement"] as? [String: Any])?["instructions"] as? [String: Any])?["per_inference"] as? Int)
    }
}
