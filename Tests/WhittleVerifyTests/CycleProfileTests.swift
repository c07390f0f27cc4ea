import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// `verify --profile`: per-layer instructions by class and estimated cycles. On Cortex-M4 and
/// RV32IMAC (when their toolchains are installed) the profile of an emitted LeNet has a row per
/// layer with a kernel, and its counts add up exactly to the plain run's; the weighing of a
/// plugin report is checked by hand; a target without a timing table is bad input.
final class CycleProfileTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchFolder("profile") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func installed(_ name: String) throws -> TargetDescriptor {
        let target = try TargetDescriptor.load(named: name, from: resources)
        let missing = Toolchain.missing(for: target)
        try XCTSkipUnless(missing.isEmpty, "\(name) skipped (install \(missing.map(\.package).joined(separator: " ")))")
        return target
    }

    /// One inference's layers, in model order, each executing instructions; the estimate at
    /// least `lowest` cycles per instruction (every Cortex-M4 and RV32 class costs at least one);
    /// the counts of the profile run equal the plain run's over the same two inferences.
    private func assertProfile(on name: String, lowest: Double, highest: Double) throws {
        let target = try installed(name)
        let folder = scratch.appendingPathComponent(name)
        try Emitter.emit(SampleGraphs.leNet(seed: 3), options: EmitOptions(target: target, modelName: "lenet", vectorCount: 2),
                         resources: resources, to: folder)
        let report = try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: false, profile: true))
        XCTAssertTrue(report.passed, report.failure ?? "")
        let profile = try XCTUnwrap(report.profile, name)
        let plain = try XCTUnwrap(report.measurement?.instructions, name)
        let layers = try EmitManifest.read(from: folder).layers.filter(\.callsKernel)
        XCTAssertEqual(profile.layers.map(\.layer), layers.map(\.name), name)
        XCTAssertEqual(profile.layers.map(\.layer), ["conv1", "conv2", "fc1", "fc2", "fc3"], name)
        XCTAssertEqual(profile.layers.map(\.kernel), layers.map(\.kernel), name)
        XCTAssertEqual(profile.inferences, 2)
        for part in profile.layers {
            XCTAssertGreaterThan(part.instructions, 0, "\(name): \(part.layer)")
            XCTAssertGreaterThanOrEqual(Double(part.cycles), lowest * Double(part.instructions), "\(name): \(part.layer)")
            XCTAssertLessThanOrEqual(Double(part.cycles), highest * Double(part.instructions), "\(name): \(part.layer)")
            XCTAssertEqual(part.classes.map(\.instructions).reduce(0, +), part.instructions, accuracy: part.classes.count,
                           "\(name): \(part.layer): its classes")
            XCTAssertTrue(part.classes.contains { $0.name == "branch_taken" }, "\(name): \(part.layer) has loops")
        }
        // The two convolutions are most of LeNet's work.
        XCTAssertGreaterThan(profile.layers[0].share + profile.layers[1].share, 0.6, name)
        XCTAssertEqual((profile.layers + [profile.callOverhead]).map(\.share).reduce(0, +), 1, accuracy: 1e-9, name)
        XCTAssertLessThan(profile.callOverhead.instructions, 100, name)
        // Exactly the plain run's instructions: the profile program is the plain program.
        XCTAssertEqual(profile.countedInstructions, plain.total, name)
        XCTAssertEqual(profile.unprofiledInstructions, plain.total, name)
        XCTAssertEqual(profile.instructions, plain.perInference, name)
        XCTAssertEqual(profile.layers.map(\.instructions).reduce(profile.callOverhead.instructions, +), plain.perInference, name)
    }

    func testProfileOnCortexM4AddsUpToThePlainCount() throws {
        // Cortex-M4: loads 1-2, every other class at least 1, a taken branch 3.
        try assertProfile(on: "cortex-m4", lowest: 1, highest: 3)
    }

    func testProfileOnRV32AddsUpToThePlainCount() throws {
        try assertProfile(on: "rv32imac", lowest: 1, highest: 5)
    }

    /// A report of two inferences weighed by hand: cycles = Σ count × cycles + registers × perRegister.
    func testReportIsWeighedByTheTable() throws {
        let table = CycleTable(source: "test", cycles: [.alu: 1, .load: 2, .loadPipelined: 1, .loadPC: 3, .branchTaken: 3, .branchNotTaken: 1],
                               perRegister: [.loadPC: 1])
        let report = """
        insncount: mark 0x100 #0 at 10
        insncount: mark 0x100 #1 at 130 delta 120
        insncount: profile #0 bucket 0 alu=4 load_pc=1 load_pc_registers=5
        insncount: profile #0 bucket 1 alu=60 load=10 load_pipelined=10 branch_taken=6 branch_not_taken=2
        insncount: profile #0 bucket 2 alu=20 load=2
        insncount: profile #1 bucket 0 alu=4 load_pc=1 load_pc_registers=5
        insncount: profile #1 bucket 1 alu=60 load=10 load_pipelined=10 branch_taken=8 branch_not_taken=0
        insncount: profile #1 bucket 2 alu=20 load=2
        """
        let profile = try CycleProfile(report: report, layers: [("conv", "conv2d_s8"), ("fc", "fc_s8")], timing: table, target: "t")
        XCTAssertEqual(profile.inferences, 2)
        XCTAssertEqual(profile.callOverhead.instructions, 5)
        XCTAssertEqual(profile.callOverhead.cycles, 4 + 3 + 5)
        XCTAssertEqual(profile.layers.map(\.instructions), [88, 22])
        // conv: 60 + 2·10 + 10 + 3·7 + 1·1 = 112 per inference; fc: 20 + 4 = 24.
        XCTAssertEqual(profile.layers.map(\.cycles), [112, 24])
        XCTAssertEqual(profile.cycles, 148)
        XCTAssertEqual(profile.countedInstructions, 230)
        XCTAssertEqual(profile.layers[0].share, 112.0 / 148, accuracy: 1e-12)
        XCTAssertEqual(profile.callOverhead.classes.map(\.name), ["alu", "load_pc"])
        XCTAssertEqual(profile.callOverhead.classes.last?.registers, 5)
        XCTAssertNil(profile.callOverhead.classes.first?.registers)

        // A class the table leaves out: one line naming it, the layer and the descriptor.
        let divide = report.replacingOccurrences(of: "bucket 2 alu=20", with: "bucket 2 divide=3 alu=20")
        XCTAssertThrowsError(try CycleProfile(report: divide, layers: [("conv", "conv2d_s8"), ("fc", "fc_s8")], timing: table, target: "t")) {
            XCTAssertEqual(String(describing: $0), "targets/t.json: field 'timing.cycles' has no weight for 'divide', which layer 'fc' executed 3 times per inference")
        }
        XCTAssertThrowsError(try CycleProfile(report: "insncount: total 5\n", layers: [], timing: table, target: "t"))
    }

    /// A target without a timing table (the host) cannot be profiled: one line naming it.
    func testTargetWithoutTimingTableIsBadInput() throws {
        let folder = scratch.appendingPathComponent("host")
        try Emitter.emit(SampleGraphs.leNet(seed: 3), options: EmitOptions(target: hostTarget, modelName: "lenet", vectorCount: 1),
                         resources: resources, to: folder)
        XCTAssertThrowsError(try FolderVerifier.verify(folder: folder, resources: resources, options: VerifyOptions(sanitize: false, profile: true))) {
            XCTAssertTrue($0 is VerifyInputError, "\($0)")
            let message = String(describing: $0)
            XCTAssertTrue(message.contains("target 'host' has no timing table"), message)
            XCTAssertTrue(message.contains("cortex-m4"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
