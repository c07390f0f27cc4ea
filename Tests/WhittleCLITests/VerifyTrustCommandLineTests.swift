import Foundation
import WhittleCodegen
import WhittleIR
import XCTest

/// `whittle verify` on folders it cannot trust: exit 1 and one line naming the files changed since
/// emission, exit 0 with a note under --allow-modified, exit 2 and one line naming whittle.json
/// and the field for a bad manifest.
final class VerifyTrustCommandLineTests: XCTestCase {
    private var scratch: URL!
    private let resources = WhittleResources(root: CLI.root)

    override func setUp() { scratch = CLI.temporaryFolder() }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func whittle(_ arguments: String...) throws -> CLI.Result {
        try CLI.run(arguments)
    }

    private func assertOneErrorLine(_ result: CLI.Result, status: Int32, _ fragments: [String],
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr, file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.stderr.contains(fragment), "'\(result.stderr)' lacks '\(fragment)'", file: file, line: line)
        }
    }

    func testVerifyTrustsNothingInTheFolder() throws {
        let folder = scratch.appendingPathComponent("out")
        let host = try TargetDescriptor.load(named: "host", from: resources)
        try Emitter.emit(SampleGraphs.leNet(seed: 3), options: EmitOptions(target: host, modelName: "lenet.q", vectorCount: 3),
                         resources: resources, to: folder)
        let clean = try whittle("verify", folder.path, "--sanitizer-vectors", "1")
        XCTAssertEqual(clean.status, 0, clean.stderr)

        // A test_main.c that never runs the model: named, exit 1.
        let harness = folder.appendingPathComponent("test_main.c")
        try Data("int main(void) { return 0; }\n".utf8).write(to: harness)
        assertOneErrorLine(try whittle("verify", folder.path, "--no-sanitize"), status: 1,
                           ["1 file differs from what whittle emit wrote (changed test_main.c)", "--allow-modified"])
        let allowed = try whittle("verify", folder.path, "--no-sanitize", "--allow-modified")
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertTrue(allowed.stdout.contains("modified files   NOTE: changed test_main.c"), allowed.stdout)
        XCTAssertTrue(allowed.stdout.contains("bit-exact on 3 vectors"), allowed.stdout)

        // Manifest fields: one line naming whittle.json and the field, exit 2.
        let manifest = folder.appendingPathComponent(EmitManifest.fileName)
        let original = try Data(contentsOf: manifest)
        for (value, fragment) in [("4611686018427387904", "field 'vectors.count' is 4,611,686,018,427,387,904, more than the limit"),
                                  ("0", "field 'vectors.count' is 0: the folder has no test vectors; emit again with --vectors N")] {
            let text = String(decoding: original, as: UTF8.self)
                .replacingOccurrences(of: "\"count\" : 3", with: "\"count\" : \(value)")
            try Data(text.utf8).write(to: manifest)
            assertOneErrorLine(try whittle("verify", folder.path, "--allow-modified"), status: 2, ["whittle.json: ", fragment])
        }
    }

    func testHelpNamesAllowModified() throws {
        let help = try whittle("verify", "--help")
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--allow-modified"), help.stdout)
    }
}
