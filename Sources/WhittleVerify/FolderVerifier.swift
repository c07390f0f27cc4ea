import Foundation
import WhittleSupport
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
    /// Go on when files changed since emission (their hashes differ from `whittle.json`'s), and
    /// report them as a note; without it they fail the check before anything is built.
    public var allowModified: Bool
    /// Bare-metal targets with a timing table: also count each layer's instructions by class and
    /// estimate its cycles (`CycleProfile`); any other target is bad input.
    public var profile: Bool
    /// Told before each step that can take seconds (nil: nothing is told).
    public var progress: VerifyProgress?

    public init(sanitize: Bool = true, sanitizerVectors: Int = 64, measureCost: Bool = false, vectorLimit: Int? = nil,
                timeout: TimeInterval = 600, allowModified: Bool = false, profile: Bool = false, progress: VerifyProgress? = nil) {
        self.sanitize = sanitize
        self.sanitizerVectors = sanitizerVectors
        self.measureCost = measureCost
        self.vectorLimit = vectorLimit
        self.timeout = timeout
        self.allowModified = allowModified
        self.profile = profile
        self.progress = progress
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
    /// The C outputs against the outputs another engine gave for the same inputs (an imported
    /// model's `--expected`, kept in its validation set); nil when there are none.
    public var expectedComparison: OutputComparison?
    public var sanitizer: SanitizerResult?
    public var accuracy: AccuracyReport?
    /// An autoencoder's reconstruction errors (instead of `accuracy`).
    public var reconstruction: ReconstructionReport? = nil
    public var cost: HostCost?
    /// Flash, RAM, stack and instructions on a bare-metal target.
    public var measurement: TargetMeasurement?
    public var arenaBytes: Int
    /// The kernels' static scratch; arena + scratch is the model's RAM on the host.
    public var scratchBytes: Int
    public var constantBytes: Int
    /// Files changed since emission, when `allowModified` let verification go on (nil: none).
    public var modifiedFiles: FolderIntegrity?
    /// Per-layer instructions and estimated cycles (`VerifyOptions.profile`).
    public var profile: CycleProfile? = nil

    /// Bit-exact on every vector, clean under the sanitizers and integer only.
    public var passed: Bool {
        comparison.bitExact && (expectedComparison?.bitExact ?? true) && (sanitizer?.passed ?? true)
            && (measurement?.floatHelpers.isEmpty ?? true) && (reconstruction?.harnessAgrees ?? true)
    }

    /// Why it did not pass, in one line (nil when it passed).
    public var failure: String? {
        if let first = comparison.firstMismatch { return "C differs from the reference at \(first)" }
        if let first = expectedComparison?.firstMismatch { return "C differs from the expected outputs given at import at \(first)" }
        if let helpers = measurement?.floatHelpers, !helpers.isEmpty {
            return "not integer only: the \(target) program links software floating-point helpers \(helpers.joined(separator: ", ")); a float or double reached the inference path"
        }
        if let sanitizer, !sanitizer.passed { return "sanitizer build failed: \(sanitizer.report ?? "")" }
        if reconstruction?.harnessAgrees == false { return "the reconstruction errors the C harness printed differ from the C outputs' errors" }
        return nil
    }
}

/// `whittle verify`: checks an emitted folder while trusting none of its build files. It
/// recomputes the SHA-256 of every file and fails on any changed since emission (unless
/// `allowModified`); builds the model's C with whittle's own harness and flags for the target
/// (`Harness` stages them, so the folder's Makefile and test_main.c are never used); runs it on the
/// test vectors and requires every output byte to equal the reference interpreter's outputs for
/// the folder's `whittle.q` (computed here, not read from `vectors/expected.bin`); runs a
/// sanitizer build; and compares with the float model when the vectors carry labels and logits.
public enum FolderVerifier {
    public static func verify(folder: URL, resources: WhittleResources, options: VerifyOptions = VerifyOptions()) throws -> VerifyReport {
        let (manifest, integrity) = try checkedManifest(folder: folder, allowModified: options.allowModified)
        let vectors = try EmittedVectors(folder: folder, manifest: manifest)
        let target = try TargetDescriptor.load(named: manifest.target, from: resources)
        let count = options.vectorLimit.map { min($0, vectors.count) } ?? vectors.count
        let limit = count < vectors.count ? count : nil
        let outputSize = manifest.output.size
        let graph = try ReferenceOutputs.model(in: folder, manifest: manifest)
        if options.profile { try ProfileRun.checkProfilable(target, resources: resources) }
        // Checked before anything is built, so a toolchain that is missing still reports first.
        if let missing = Toolchain.missing(for: target).first {
            throw VerifyInputError("\(missing.description) for target '\(target.name)' not found on PATH; install the Debian package '\(missing.package)'")
        }
        let expected = try ReferenceOutputs.compute(graph, inputs: vectors.inputs, count: count, folder: folder, progress: options.progress)
        var modified = integrity
        if vectors.expected.map({ Array($0.prefix(count * outputSize)) }) != expected,
           !modified.missing.contains(manifest.vectors.expected) {
            // Intact files whose expected.bin disagrees: the reference changed since emission.
            modified.changed = Array(Set(modified.changed + [manifest.vectors.expected])).sorted()
            if !options.allowModified {
                throw VerifyCheckFailure("\(folder.path): \(manifest.vectors.expected) differs from the reference interpreter's outputs for \(EmitManifest.modelFileName); emit the folder again (or verify --allow-modified to check the C against the reference)")
            }
        }

        let build = try makeBuildDirectory("verify")
        defer { Temporaries.remove(build) }
        let harness = try Harness(folder: folder, target: target, resources: resources, buildDirectory: build,
                                  inputs: Array(vectors.inputs.prefix(count * manifest.input.size)), progress: options.progress)

        let outputs: [Int8]
        var printed: String?
        var measurement: TargetMeasurement?
        var profile: CycleProfile?
        if target.isBareMetal {
            (outputs, measurement, profile) = try BareMetalRun.run(harness, manifest: manifest, resources: resources, limit: limit,
                                                                   timeout: options.timeout, profile: options.profile)
        } else {
            (outputs, printed) = try runVectors(harness, program: try harness.build("test_model"), limit: limit,
                                                count: count, outputSize: outputSize, timeout: options.timeout)
        }
        let comparison = OutputComparison(c: outputs, reference: expected, outputSize: outputSize)
        let expectedComparison = vectors.givenExpected
            .map { OutputComparison(c: outputs, reference: Array($0.prefix(count * outputSize)), outputSize: outputSize) }
        var sanitizer: SanitizerResult?
        if options.sanitize && !target.sanitizerFlags.isEmpty {
            let sanitized = min(options.sanitizerVectors, count)
            sanitizer = try sanitizerRun(harness, limit: sanitized, expected: Array(expected.prefix(sanitized * outputSize)))
        }
        let reconstruction = graph.validation?.reconstruction.map { task in
            ReconstructionReport(c: outputs, inputs: Array(vectors.inputs.prefix(count * manifest.input.size)),
                                 floatOutputs: vectors.floatLogits.map { Array($0.prefix(count * outputSize)) },
                                 labels: vectors.labels, task: task, size: outputSize,
                                 input: graph.inputTensor.quant, output: graph.outputTensor.quant, printed: printed)
        }
        let accuracy = reconstruction != nil ? nil : AccuracyReport(c: outputs, reference: expected, labels: vectors.labels.map { Array($0.prefix(count)) },
                                      floatLogits: vectors.floatLogits.map { Array($0.prefix(count * outputSize)) },
                                      outputSize: outputSize,
                                      outputScale: manifest.output.scale, outputZeroPoint: manifest.output.zeroPoint)
        let cost = options.measureCost && !target.isBareMetal ? try HostBenchmark.measure(harness) : nil
        if let measurement {
            try BareMetalRun.checkBudgets(measurement, manifest: manifest, target: target)
        }
        return VerifyReport(folder: folder.path, model: manifest.model, target: target.name, comparison: comparison,
                            expectedComparison: expectedComparison, sanitizer: sanitizer, accuracy: accuracy,
                            reconstruction: reconstruction, cost: cost, measurement: measurement,
                            arenaBytes: manifest.memory.arenaBytes, scratchBytes: manifest.memory.scratchBytes,
                            constantBytes: manifest.constantBytes,
                            modifiedFiles: modified.isIntact ? nil : modified, profile: profile)
    }

    /// Reads and checks `whittle.json` and recomputes every file's hash. Files changed since
    /// emission fail the check (one line naming them) unless `allowModified`.
    public static func checkedManifest(folder: URL, allowModified: Bool) throws -> (EmitManifest, FolderIntegrity) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw VerifyInputError("\(folder.path): no such folder")
        }
        let manifest: EmitManifest
        do {
            manifest = try EmitManifest.read(from: folder)
        } catch let error as CodegenError {
            throw VerifyInputError(error.description)
        }
        let integrity = FolderIntegrity.check(folder: folder, manifest: manifest)
        if !integrity.isIntact && !allowModified {
            let files = integrity.changed.count + integrity.missing.count + integrity.extra.count
            throw VerifyCheckFailure("\(folder.path): \(files == 1 ? "1 file differs" : "\(files) files differ") from what whittle emit wrote (\(integrity.summary)); emit the folder again, or verify --allow-modified to check the model's C with whittle's own harness anyway")
        }
        return (manifest, integrity)
    }

    /// A fresh temporary folder for one verification's build (removed by the caller, or at exit).
    static func makeBuildDirectory(_ label: String) throws -> URL {
        do {
            return try Temporaries.folder(label: label)
        } catch {
            throw VerifyInputError("cannot create a build folder in \(FileManager.default.temporaryDirectory.path): \(fileErrorText(error))")
        }
    }

    /// Runs `test_model` on the first `limit` vectors (all when nil) and returns its outputs and
    /// what it printed.
    static func runVectors(_ harness: Harness, program: URL, limit: Int?, count: Int, outputSize: Int,
                           timeout: TimeInterval = 600) throws -> (outputs: [Int8], printed: String) {
        let outputFile = harness.buildDirectory.appendingPathComponent("\(program.lastPathComponent).outputs.bin")
        let result = try harness.run(program, ["vectors/inputs.bin", outputFile.path] + (limit.map { [String($0)] } ?? []), timeout: timeout,
                                     outputs: .init(file: outputFile, vectorBytes: outputSize, vectors: limit ?? count))
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
        return (bytes.map { Int8(bitPattern: $0) }, result.standardOutput)
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
