import Foundation
import WhittleSupport
import WhittleCodegen

/// What one inference of an emitted model costs on the host.
public struct HostCost: Codable, Hashable, Sendable {
    /// Wall time per inference in a timed loop (noisy on shared machines).
    public var nanosecondsPerInference: Double
    public var inferencesTimed: Int
    /// Instructions executed inside `model_invoke` per inference, counted by callgrind (exact and
    /// repeatable); nil when valgrind is not installed.
    public var instructionsPerInference: Int?
}

/// Measures an emitted model with its bench harness: a timed loop, then a callgrind run that
/// collects only inside `model_invoke` (`--toggle-collect`), divided by the number of calls.
public enum HostBenchmark {
    public static let callgrindInferences = 20

    /// Measures an emitted folder's model with whittle's own bench harness, building in a
    /// temporary folder that is removed afterwards. Files changed since emission are allowed
    /// (this measures, it does not verify).
    public static func measure(folder: URL, resources: WhittleResources, minimumMilliseconds: Int = 500) throws -> HostCost {
        let (manifest, _) = try FolderVerifier.checkedManifest(folder: folder, allowModified: true)
        let vectors = try EmittedVectors(folder: folder, manifest: manifest)
        let build = try FolderVerifier.makeBuildDirectory("bench")
        defer { Temporaries.remove(build) }
        let target = try TargetDescriptor.load(named: manifest.target, from: resources)
        let harness = try Harness(folder: folder, target: target, resources: resources, buildDirectory: build, inputs: vectors.inputs)
        return try measure(harness, minimumMilliseconds: minimumMilliseconds)
    }

    public static func measure(_ harness: Harness, minimumMilliseconds: Int = 500) throws -> HostCost {
        let program = try harness.build("bench_model")
        let timed = try harness.run(program, ["vectors/inputs.bin", "16", String(minimumMilliseconds)], timeout: 300)
        guard timed.status == 0, let (count, nanoseconds) = parse(timed.standardOutput) else {
            throw VerifyCheckFailure("\(harness.folder.path): bench_model failed: \(timed.firstMessageLine)")
        }
        return HostCost(nanosecondsPerInference: Double(nanoseconds) / Double(count), inferencesTimed: count,
                        instructionsPerInference: try instructions(harness, program))
    }

    /// Instructions per inference under callgrind, or nil without valgrind.
    static func instructions(_ harness: Harness, _ program: URL) throws -> Int? {
        guard ProcessRunner.which("valgrind") != nil else { return nil }
        harness.progress?("counting \(program.lastPathComponent)'s instructions under callgrind")
        let out = harness.buildDirectory.appendingPathComponent("callgrind.out")
        let result = try ProcessRunner.run(["valgrind", "--tool=callgrind", "--toggle-collect=model_invoke",
                                            "--callgrind-out-file=\(out.path)", program.path,
                                            "vectors/inputs.bin", String(callgrindInferences), "0"],
                                           in: harness.sourceDirectory, timeout: 600)
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard result.status == 0,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("totals:") || $0.hasPrefix("summary:") }),
              let total = Int(line.split(separator: " ").last ?? "") else {
            throw VerifyCheckFailure("\(harness.folder.path): callgrind run failed: \(result.firstMessageLine)")
        }
        return total / callgrindInferences
    }

    /// "inferences=N nanoseconds=T" → (N, T).
    static func parse(_ output: String) -> (Int, Int)? {
        var fields: [String: Int] = [:]
        for pair in output.split(whereSeparator: { $0 == " " || $0.isNewline }) {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let value = Int(parts[1]) { fields[String(parts[0])] = value }
        }
        guard let count = fields["inferences"], count > 0, let ns = fields["nanoseconds"] else { return nil }
        return (count, ns)
    }
}
