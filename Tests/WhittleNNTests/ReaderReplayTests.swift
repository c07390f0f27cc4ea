import Foundation
import XCTest
import WhittleNN

/// `make test`'s share of fuzzing: the seed files and every input saved in Tests/Fuzz/crashes
/// (by `make fuzz`, or by hand for the findings) go through each fuzz target's read path.
/// A trap there ends the test run, so this fails when a crash comes back.
final class ReaderReplayTests: XCTestCase {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz").standardized

    /// The saved inputs of one fuzz target.
    static func savedInputs(_ target: String) throws -> [(name: String, bytes: Data)] {
        let folder = fuzzFolder.appendingPathComponent("crashes/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.sorted().filter { !$0.hasPrefix(".") }.map { ($0, try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    /// A data file reader's seeds parse and go through its fuzz read path, and so does every saved input.
    private func replay(_ target: String, seeds: [ReaderSamples.File], parse: (Data) throws -> Any, read: (Data) -> Void) throws {
        for seed in seeds {
            XCTAssertNoThrow(try parse(seed.bytes), seed.name)
            read(seed.bytes)
        }
        let saved = try Self.savedInputs(target)
        XCTAssertFalse(saved.isEmpty)
        for input in saved { read(input.bytes) }
    }

    func testIDXSeedsReadAndSavedInputsAreRejectedCleanly() throws {
        try replay("idx", seeds: ReaderSamples.idxFiles(), parse: { try IDXFile(fileBytes: $0) }, read: ReaderSamples.readIDX)
    }

    func testNPYSeedsReadAndSavedInputsAreRejectedCleanly() throws {
        try replay("npy", seeds: ReaderSamples.npyFiles(), parse: { try NPYFile(fileBytes: $0) }, read: ReaderSamples.readNPY)
    }

    func testSafeTensorsSeedsLoadAndSavedInputsAreRejectedCleanly() throws {
        let seeds = ReaderSamples.safetensorsFiles()
        XCTAssertEqual(seeds.count, 2)
        for seed in seeds {
            let file = try SafeTensors(data: seed.bytes)
            XCTAssertNoThrow(try Checkpoint.load(file, named: seed.name, into: try XCTUnwrap(ReaderSamples.model())), seed.name)
        }
        let saved = try Self.savedInputs("safetensors")
        XCTAssertFalse(saved.isEmpty)
        for input in saved { ReaderSamples.readSafeTensors(input.bytes) }
    }

    func testSpecSeedsAndExamplesBuildAndSavedInputsAreRejectedCleanly() throws {
        let examples = fuzzFolderSibling("examples")
        let exampleFiles = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".json") }
        XCTAssertFalse(exampleFiles.isEmpty)
        for name in exampleFiles {
            let bytes = try Data(contentsOf: examples.appendingPathComponent(name))
            XCTAssertNoThrow(try Spec.parse(bytes, file: name).buildGraph(), name)
        }
        for seed in ReaderSamples.specFiles() {
            XCTAssertNoThrow(try Spec.parse(seed.bytes, file: seed.name).buildGraph(), seed.name)
        }
        let saved = try Self.savedInputs("spec")
        XCTAssertFalse(saved.isEmpty)
        for input in saved { ReaderSamples.readSpec(input.bytes) }
    }

    private func fuzzFolderSibling(_ name: String) -> URL {
        Self.fuzzFolder.appendingPathComponent("../../\(name)").standardized
    }
}
