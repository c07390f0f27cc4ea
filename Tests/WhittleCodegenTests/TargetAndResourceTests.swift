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

    func testMalformedDescriptorsNameFileAndField() throws {
        var host = try String(contentsOf: resources.targets.appendingPathComponent("host.json"), encoding: .utf8)
        let root = try scratchRoot(targets: [
            "nocompiler": host.replacingOccurrences(of: "\"compiler\": \"gcc\",", with: "").replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"nocompiler\""),
            "wrongname": host,
            "badalign": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badalign\"").replacingOccurrences(of: "\"arenaAlignment\": 16", with: "\"arenaAlignment\": 3"),
            "notjson": "{",
            "badblock": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"badblock\"")
                .replacingOccurrences(of: "\"channelBlock\": 8", with: "\"channelBlock\": 9"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let scratch = WhittleResources(root: root)
        for (name, words) in [("nocompiler", "missing field 'compiler'"), ("wrongname", "field 'name'"),
                              ("badalign", "arenaAlignment"), ("notjson", "notjson.json"), ("badblock", "channelBlock")] {
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

    /// A target's kernel variant folder replaces the generic kernel of the same name.
    func testKernelVariantReplacesGenericKernel() throws {
        let host = try String(contentsOf: resources.targets.appendingPathComponent("host.json"), encoding: .utf8)
        let root = try scratchRoot(targets: ["fast": host.replacingOccurrences(of: "\"name\": \"host\"", with: "\"name\": \"fast\"")
            .replacingOccurrences(of: "\"kernelVariants\": []", with: "\"kernelVariants\": [\"fast\"]")])
        defer { try? FileManager.default.removeItem(at: root) }
        let variant = root.appendingPathComponent("templates/kernels/fast")
        try FileManager.default.createDirectory(at: variant, withIntermediateDirectories: true)
        try Data("/* the fast fc */\n".utf8).write(to: variant.appendingPathComponent("fc_s8.c"))
        let scratch = WhittleResources(root: root)
        let target = try TargetDescriptor.load(named: "fast", from: scratch)
        let files = try Emitter.emission(of: SampleGraphs.leNet(), options: EmitOptions(target: target, modelName: "m"), resources: scratch).files
        XCTAssertEqual(String(decoding: files.first { $0.path == "kernels/fc_s8.c" }!.bytes, as: UTF8.self), "/* the fast fc */\n")
        XCTAssertTrue(String(decoding: files.first { $0.path == "kernels/conv2d_s8.c" }!.bytes, as: UTF8.self).contains("conv2d_s8("))
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
