import Foundation
import XCTest
import WhittleCodegen
import WhittleIR

/// `make test`'s share of fuzzing for the integer side: the seeds and every input saved in
/// Tests/Fuzz/crashes/{qgraph,manifest} go through the fuzz targets' read paths (decode, verify,
/// interpret, emit; the manifest decoder). A trap there ends the test run.
final class ReaderReplayTests: XCTestCase {
    let resources = WhittleResources(root: repositoryRoot)

    private func saved(_ target: String) throws -> [Data] {
        let folder = repositoryRoot.appendingPathComponent("Tests/Fuzz/crashes/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.sorted().filter { !$0.hasPrefix(".") }.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
    }

    func testQGraphSeedsEmitAndSavedInputsAreRejectedCleanly() throws {
        let host = try TargetDescriptor.load(named: "host", from: resources)
        let seeds = QGraphReaderSamples.files()
        XCTAssertGreaterThan(seeds.count, 10)
        for seed in seeds {
            let graph = try QGraphFile.decode([UInt8](seed.bytes), name: seed.name)
            if seed.bytes.count <= QGraphReaderSamples.emitLimit {
                XCTAssertNoThrow(try Emitter.emission(of: graph, options: EmitOptions(target: host, modelName: seed.name, vectorCount: 1),
                                                      resources: resources), seed.name)
            }
        }
        for input in try saved("qgraph") { QGraphReaderSamples.read(input, target: host, resources: resources) }
    }

    func testManifestSeedsDecodeAndSavedInputsAreRejectedCleanly() throws {
        let host = try TargetDescriptor.load(named: "host", from: resources)
        let seeds = ManifestReaderSamples.files(target: host, resources: resources)
        XCTAssertEqual(seeds.count, 7)
        for seed in seeds { XCTAssertNoThrow(try EmitManifest.decode(seed.bytes, path: seed.name), seed.name) }
        for input in try saved("manifest") { ManifestReaderSamples.read(input) }
    }
}
