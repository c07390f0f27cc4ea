import Foundation
import XCTest
import WhittleCodegen
import WhittleIR

/// The example LeNets' memory, pinned as TFLM's memory threshold test pins its models': arena,
/// kernel scratch and constant bytes on the host and on Cortex-M4 and M0, each within 1 % of the
/// figure measured when it was last changed on purpose. A regression (or an improvement, which
/// should then be pinned) shows here first.
final class FootprintTests: XCTestCase {
    let resources = WhittleResources(root: repositoryRoot)

    /// (model, host or bare metal) → (arena, scratch, constants) in bytes. Every bare-metal target
    /// stores index-sparse layers ready to run (`indexed-sparse`): more constants, no scratch.
    static let pinned: [String: (arena: Int, scratch: Int, constants: Int)] = [
        "dense on host": (1120, 0, 46314),
        "pruned (tutorial) on host": (1120, 380, 19542),
        "2:4 on host": (1120, 1024, 29770),
        "filter-pruned on host": (560, 0, 28980),
        "dense on bare metal": (1120, 0, 46314),
        "pruned (tutorial) on bare metal": (1120, 0, 26348),
        "2:4 on bare metal": (1120, 1024, 29770),
        "filter-pruned on bare metal": (560, 0, 28980),
    ]

    func testExampleLeNetFootprintsArePinned() throws {
        for target in ["host", "cortex-m4", "cortex-m0"] {
            let descriptor = try TargetDescriptor.load(named: target, from: resources)
            for (name, graph) in try SampleGraphs.exampleLeNets(dense: SampleGraphs.leNet(seed: 1), seed: 1) {
                let m = try Emitter.emission(of: graph, options: EmitOptions(target: descriptor, modelName: name, vectorCount: 1, passes: .stored),
                                             resources: resources).manifest
                let key = "\(name) on \(descriptor.isBareMetal ? "bare metal" : "host")"
                guard let pin = Self.pinned[key] else { XCTFail("\(key) (\(target)) is not pinned"); continue }
                for (what, value, expected) in [("arena", m.memory.arenaBytes, pin.arena), ("scratch", m.memory.scratchBytes, pin.scratch),
                                                ("constants", m.constantBytes, pin.constants)] {
                    XCTAssertLessThanOrEqual(abs(value - expected), expected / 100, "\(name) on \(target): \(what) \(value) B, pinned \(expected) B")
                }
            }
        }
    }
}
