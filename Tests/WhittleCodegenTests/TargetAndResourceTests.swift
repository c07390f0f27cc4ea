import Foundation
import WhittleCodegen
import WhittleIR
import XCTest

final class TargetAndResourceTests: XCTestCase {
    private let resources = WhittleResources(root: repositoryRoot)

    func testUnknownTargetListsKnownOnes() {
        XCTAssertThrowsError(try TargetDescriptor.load(named: "cortex-m99", from: resources)) {
            XCTAssertEqual(String(describing: $0), "unknown target 'cortex-m99'; known targets: \(TargetDescriptor.knownTargets(in: resources).joined(separator: ", "))")
            XCTAssertTrue(String(describing: $0).contains("host"))
        }
    }

    /// A scratch resource root: the real templates plus the given target descriptors.
    private func scratchRoot(targets: [String: String]) throws -> URL {
        let root = try makeScratchFolder("resources")
        try FileManager.default.copyItem(at: resources.templates, to: root.appendingPathComponent("templates"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("targets"), withIntermediateDirectories: false)
        for (name, text) in targets {
            try Data(text.utf8).write(to: root.appendingPathComponent("targets/\(name).json"))
        }
        return root
    }

    /// Every bare-metal target can be profiled: its timing table weighs every class its core can
    /// execute (ARMv6-M has no divide, long or DSP multiply; RV32IMAC no register lists); the host
    /// has none.
    func testBareMetalTargetsCarryTimingTables() throws {
        for name in TargetDescriptor.knownTargets(in: resources) {
            let target = try TargetDescriptor.load(named: name, from: resources)
            guard target.isBareMetal else {
                XCTAssertNil(target.timing, name)
                continue
            }
            let timing = try XCTUnwrap(target.timing, name)
            var absent: Set<InstructionClass> = []
            if name == "cortex-m0" { absent = [.multiplyAccumulate, .multiplyLong, .multiplyAccumulateLong, .dspMultiply, .divide] }
            if name == "cortex-m3" { absent = [.dspMultiply] }
            if name == "rv32imac" { absent = [.loadMultiple, .storeMultiple, .loadPC, .multiplyAccumulate, .multiplyAccumulateLong, .dspMultiply] }
            for c in InstructionClass.allCases {
                XCTAssertEqual(timing.cycles(of: c) == nil, absent.contains(c), "\(name): \(c.rawValue)")
                if c.movesRegisters && !absent.contains(c) { XCTAssertGreaterThan(timing.cyclesPerRegister(of: c), 0, "\(name): \(c.rawValue)") }
            }
            XCTAssertGreaterThan(timing.cycles(of: .branchTaken) ?? 0, timing.cycles(of: .branchNotTaken) ?? 0, name)
        }
    }

    /// A descriptor's pixelBlock sets the sparse convs' pixel block apart from channelBlock.
    func testPixelBlockReachesTheProfile() throws {
        let m4 = KernelProfile(target: try TargetDescriptor.load(named: "cortex-m4", from: resources))
        XCTAssertEqual([m4.channelBlock, m4.pixelBlock], [4, 8])
        let host = KernelProfile(target: try TargetDescriptor.load(named: "host", from: resources))
        XCTAssertEqual([host.channelBlock, host.pixelBlock], [8, 8])
        let graph = try SampleGraphs.magnitudePruned(SampleGraphs.leNet(), sparsity: SampleGraphs.tutorialSparsity)
        let emission = try Emitter.emission(of: graph, options: EmitOptions(target: try TargetDescriptor.load(named: "cortex-m4", from: resources),
                                                                            modelName: "m", passes: .stored), resources: resources)
        let conv = try XCTUnwrap(emission.plan.steps.first { $0.call?.kernel == "conv2d_s8_indexed" }?.call)
        XCTAssertEqual(conv.field("pixel_block"), 8)
        let hostEmission = try Emitter.emission(of: graph, options: EmitOptions(target: try TargetDescriptor.load(named: "host", from: resources), modelName: "m", passes: .stored), resources: resources)
        let hostConv = try XCTUnwrap(hostEmission.plan.steps.first { $0.call?.kernel == "conv2d_s8_sparse" }?.call)
        XCTAssertEqual(hostConv.field("gather.pixel_block"), 8)
    }

    func testMalformedDescriptorsNameFileAndField() throws {
        var host = try String(contentsOf: resources.targets.appendingPathComponent("host.json"), encoding: .utf8)
        let root = try scratchRoot(targets: [
            "nocompiler": host.replacingOccurrences(of: "\"compiler\": \"gcc\",", with: "").replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"nocompiler\""),
            "wrongname": host,
            "badalign": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badalign\"").replacingOccurrences(of: "\"arenaAlignment\": 16", with: "\"arenaAlignment\": 3"),
            "notjson": "{",
            "badblock": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badblock\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: "\"channelBlock\": 9"),
            "badpixels": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badpixels\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: "\"channelBlock\": 8, \"pixelBlock\": 0"),
            "typo": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"typo\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: "\"channelBlock\": 8, \"pixelBlok\": 4"),
            "badvariant": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badvariant\"")
                .replacingOccurrences(of: "\"kernelVariants\": []", with: "\"kernelVariants\": [\"neon\"]"),
            "badclass": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badclass\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: #""channelBlock": 8, "timing": {"source": "s", "cycles": {"mac": 1}, "perRegister": {}}"#),
            "badperregister": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badperregister\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: #""channelBlock": 8, "timing": {"source": "s", "cycles": {"alu": 1}, "perRegister": {"load": 1}}"#),
            "timingtypo": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"timingtypo\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: #""channelBlock": 8, "timing": {"source": "s", "cycle": {}, "cycles": {}, "perRegister": {}}"#),
            "timingnoplugin": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"timingnoplugin\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: #""channelBlock": 8, "timing": {"source": "s", "cycles": {"alu": 1}, "perRegister": {}}"#),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let scratch = WhittleResources(root: root)
        for (name, words) in [("nocompiler", "missing field 'compiler'"), ("wrongname", "field 'name'"),
                              ("badalign", "arenaAlignment"), ("notjson", "notjson.json"), ("badblock", "channelBlock"),
                              ("badpixels", "pixelBlock"), ("typo", "unknown field 'pixelBlok'"),
                              ("badvariant", "field 'kernelVariants' names an unknown variant; known: dsp, indexed-sparse"),
                              ("badclass", "field 'timing.cycles' names 'mac', which is no instruction class (known: alu, load,"),
                              ("badperregister", "field 'timing.perRegister' names 'load', which moves no register list"),
                              ("timingtypo", "unknown field 'timing.cycle'"),
                              ("timingnoplugin", "field 'timing' needs a countingPlugin")] {
            XCTAssertThrowsError(try TargetDescriptor.load(named: name, from: scratch)) {
                XCTAssertTrue(String(describing: $0).contains(words), String(describing: $0))
                XCTAssertTrue(String(describing: $0).contains("\(name).json"), String(describing: $0))
            }
        }
        host = host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"h2\"")
        let good = try scratchRoot(targets: ["h2": host])
        defer { try? FileManager.default.removeItem(at: good) }
        XCTAssertEqual(try TargetDescriptor.load(named: "h2", from: WhittleResources(root: good)).compiler, "gcc")
    }

    /// A target listing the "dsp" variant gets the _dsp kernels for its dense layers (and their
    /// header); the host keeps the generic ones, and both fold LeNet's pools into their convs.
    func testDSPVariantSelectsDSPKernels() throws {
        var target = try TargetDescriptor.load(named: "host", from: resources)
        XCTAssertFalse(KernelProfile(target: target).dsp)
        let generic = try Emitter.emission(of: SampleGraphs.leNet(), options: EmitOptions(target: target, modelName: "m", passes: .stored), resources: resources)
        XCTAssertEqual(generic.plan.kernels, ["conv2d_s8", "fc_s8"])
        XCTAssertFalse(generic.files.contains { $0.path == "kernels/whittle_dsp.h" })
        target.kernelVariants = [.dsp]
        XCTAssertTrue(KernelProfile(target: target).dsp)
        let dsp = try Emitter.emission(of: SampleGraphs.leNet(), options: EmitOptions(target: target, modelName: "m", passes: .stored), resources: resources)
        // The generic files come along: the DSP kernels take their parameter structs, and the
        // DSP conv shares the pixel loop (conv2d_s8_pooled).
        XCTAssertEqual(dsp.plan.kernels, ["conv2d_s8", "conv2d_s8_dsp", "fc_s8", "fc_s8_dsp"])
        XCTAssertEqual(dsp.manifest.layers.map(\.kernel), ["conv2d_s8_dsp", "fused", "conv2d_s8_dsp", "fused", "alias",
                                                           "fc_s8_dsp", "fc_s8_dsp", "fc_s8_dsp"])
        XCTAssertTrue(dsp.files.contains { $0.path == "kernels/whittle_dsp.h" })
        XCTAssertEqual(dsp.plan.constantBytes, generic.plan.constantBytes, "the word layout only reorders the weights")
        for name in ["cortex-m4", "cortex-m7"] {
            XCTAssertTrue(KernelProfile(target: try TargetDescriptor.load(named: name, from: resources)).dsp, name)
        }
        for name in ["cortex-m0", "cortex-m3", "rv32imac"] {
            XCTAssertFalse(KernelProfile(target: try TargetDescriptor.load(named: name, from: resources)).dsp, name)
        }
    }

    func testLocateFromEnvironmentAndExecutable() throws {
        XCTAssertEqual(try WhittleResources.locate(environment: ["WHITTLE_HOME": repositoryRoot.path], executable: nil).root.path,
                       repositoryRoot.path)
        XCTAssertThrowsError(try WhittleResources.locate(environment: ["WHITTLE_HOME": "/nonexistent"], executable: nil)) {
            XCTAssertTrue(String(describing: $0).contains("WHITTLE_HOME=/nonexistent"))
        }
        // .build/release/whittle in the checkout walks up to the checkout.
        let exe = repositoryRoot.appendingPathComponent(".build/release/whittle")
        XCTAssertEqual(try WhittleResources.locate(environment: [:], executable: exe).root.standardizedFileURL.path,
                       repositoryRoot.standardizedFileURL.path)
        // An installed layout: <prefix>/bin/whittle with <prefix>/share/whittle.
        let prefix = try makeScratchFolder("prefix")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let share = prefix.appendingPathComponent("share/whittle")
        for folder in ["templates", "targets"] {
            try FileManager.default.createDirectory(at: share.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let installed = try WhittleResources.locate(environment: [:], executable: prefix.appendingPathComponent("bin/whittle"))
        XCTAssertEqual(installed.root.standardizedFileURL.path, share.standardizedFileURL.path)
        XCTAssertThrowsError(try WhittleResources.locate(environment: [:], executable: URL(fileURLWithPath: "/usr/bin/whittle")))
    }
}
