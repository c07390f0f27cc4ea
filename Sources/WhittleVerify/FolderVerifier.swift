import Foundation
import WhittleCodegen

/// What to check besides bit-exactness.
public struct VerifyOptions: Sendable {
    /// Build once more with the target's sanitizer flags and run `sanitizerVectors` vectors.
    public var sanitize: Bool
    public var sanitizerVectors: Int
    /// Also measure host nanoseconds and instructions per inference (host targets; a
    /// bare-metal target is always measured).
    public var measureCost: Bool
    /// Run at most this many vectors (nil: all).
    public var vectorLimit: Int?
    /// Seconds one run of the test program may take.
    public var timeout: TimeInterval

    public init(sanitize: Bool = true, sanitizerVectors: Int = 64, measureCost: Bool = false, vectorLimit: Int? = nil,
                timeout: TimeInterval = 600) {
        self.sanitize = sanitize
        self.sanitizerVectors = sanitizerVectors
        self.measureCost = measureCost
        self.vectorLimit = vectorLimit
        self.timeout = timeout
    }
}

/// The sanitizer build's verdict.
public struct SanitizerResult: Codable, Hashable, Sendable {
    public var vectors: Int
    public var passed: Bool
    /// The first line of the sanitizer's report when it failed.
    public var report: String?

    public init(vectors: Int, passed: Bool, report: String?) {
        self.vectors = vectors
        self.passed = passed
        self.report = report
    }
}

/// Everything `whittle verify` found.
public struct VerifyReport: Codable, Hashable, Sendable {
    public var folder: String
    public var model: String
    public var target: String
    public var comparison: OutputComparison
    public var sanitizer: SanitizerResult?
    public var accuracy: AccuracyReport?
    public var cost: HostCost?
    /// Flash, RAM, stack and instructions on a bare-metal target.
    public var measurement: TargetMeasurement?
    public var arenaBytes: Int
    public var constantBytes: Int

    /// Bit-exact on every vector, clean under the sanitizers and integer only.
    public var passed: Bool { comparison.bitExact && (sanitizer?.passed ?? true) && (measurement?.floatHelpers.isEmpty ?? true) }

    /// Why it did not pass, in one line (nil when it passed).
    public var failure: String? {
        if let first = comparison.firstMismatch { return "C differs from the reference at \(first)" }
        if let helpers = measurement?.floatHelpers, !helpers.isEmpty {
            return "not integer only: the \(target) program links software floating-point helpers \(helpers.joined(separator: ", ")); a float or double reached the inference path"
        }
        if let sanitizer, !sanitizer.passed { return "sanitizer build failed: \(sanitizer.report ?? "")" }
        return nil
    }
}

/// `whittle verify`: builds an emitted folder with its target's compiler, runs it on the test
/// vectors, requires every output byte to equal the reference interpreter's, runs a sanitizer
/// build, and compares with the float model when the vectors carry labels and logits.
public enum FolderVerifier {
    public static func verify(folder: URL, resources: WhittleResources, options: VerifyOptions = VerifyOptions()) throws -> VerifyReport {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VerifyInputError("\(folder.path): no such folder")
        }
        let manifest = try EmitManifest.read(from: folder)
        let vectors = try EmittedVectors(folder: folder, manifest: manifest)
        let target = try TargetDescriptor.load(named: manifest.target, from: resources)
        let build = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-verify-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: build) }
        let harness = try Harness(folder: folder, target: target, buildDirectory: build)
        let limit = options.vectorLimit.map { min($0, vectors.count) }
        let count = limit ?? vectors.count
        let expected = Array(vectors.expected.prefix(count * manifest.output.size))

        let outputs: [Int8]
        var measurement: TargetMeasurement?
        if target.isBareMetal {
            (outputs, measurement) = try BareMetalRun.run(harness, manifest: manifest, resources: resources, limit: limit,
                                                          timeout: options.timeout)
        } else {
            outputs = try runVectors(harness, program: try harness.build("test_model"), limit: limit,
                                     count: vectors.count, outputSize: manifest.output.size, timeout: options.timeout)
        }
        let comparison = OutputComparison(c: outputs, reference: expected, outputSize: manifest.output.size)
        var sanitizer: SanitizerResult?
        if options.sanitize && !target.sanitizerFlags.isEmpty {
            let sanitized = min(options.sanitizerVectors, count)
            sanitizer = try sanitizerRun(harness, limit: sanitized, expected: Array(expected.prefix(sanitized * manifest.output.size)))
        }
        let accuracy = AccuracyReport(c: outputs, reference: expected, labels: vectors.labels.map { Array($0.prefix(count)) },
                                      floatLogits: vectors.floatLogits.map { Array($0.prefix(count * manifest.output.size)) },
                                      outputSize: manifest.output.size,
                                      outputScale: manifest.output.scale, outputZeroPoint: manifest.output.zeroPoint)
        let cost = options.measureCost && !target.isBareMetal ? try HostBenchmark.measure(harness) : nil
        if let measurement {
            try BareMetalRun.checkBudgets(measurement, manifest: manifest, target: target)
        }
        return VerifyReport(folder: folder.path, model: manifest.model, target: target.name, comparison: comparison,
                            sanitizer: sanitizer, accuracy: accuracy, cost: cost, measurement: measurement,
                            arenaBytes: manifest.memory.arenaBytes, constantBytes: manifest.constantBytes)
    }

    /// Runs `test_model` on the first `limit` vectors (all when nil) and returns its outputs.
    static func runVectors(_ harness: Harness, program: URL, limit: Int?, count: Int, outputSize: Int,
                           timeout: TimeInterval = 600) throws -> [Int8] {
        let outputFile = harness.buildDirectory.appendingPathComponent("\(program.lastPathComponent).outputs.bin")
        let result = try harness.run(program, ["vectors/inputs.bin", outputFile.path] + (limit.map { [String($0)] } ?? []), timeout: timeout)
        guard !result.timedOut else {
            throw VerifyCheckFailure("\(harness.folder.path): \(program.lastPathComponent) timed out")
        }
        guard result.status == 0 else {
            throw VerifyCheckFailure("\(harness.folder.path): \(program.lastPathComponent) exited with status \(result.status): \(result.firstMessageLine)")
        }
        let bytes = (try? Data(contentsOf: outputFile)) ?? Data()
        let expected = (limit ?? count) * outputSize
        guard bytes.count == expected else {
            throw VerifyCheckFailure("\(harness.folder.path): \(program.lastPathComponent) wrote \(bytes.count) output bytes, expected \(expected)")
        }
        return bytes.map { Int8(bitPattern: $0) }
    }

    /// Runs the sanitizer build on the first `limit` vectors; any report, crash or output that
    /// differs from the reference fails it.
    private static func sanitizerRun(_ harness: Harness, limit: Int, expected: [Int8]) throws -> SanitizerResult {
        let program = try harness.build("test_model_sanitized")
        let outputFile = harness.buildDirectory.appendingPathComponent("sanitized.bin")
        let result = try harness.run(program, ["vectors/inputs.bin", outputFile.path, String(limit)],
                                     environment: ["ASAN_OPTIONS": "detect_leaks=1", "UBSAN_OPTIONS": "print_stacktrace=1"])
        let report = result.standardError.split(whereSeparator: \.isNewline)
            .first { $0.contains("runtime error") || $0.contains("ERROR:") || $0.contains("Sanitizer") }
        var failure: String?
        if result.timedOut {
            failure = "timed out"
        } else if result.status != 0 || report != nil {
            failure = report.map(String.init) ?? "exited with status \(result.status): \(result.firstMessageLine)"
        } else {
            let outputs = ((try? Data(contentsOf: outputFile)) ?? Data()).map { Int8(bitPattern: $0) }
            if outputs != expected {
                failure = "outputs differ from the reference under the sanitizers"
            }
        }
        return SanitizerResult(vectors: limit, passed: failure == nil, report: failure)
    }
}
