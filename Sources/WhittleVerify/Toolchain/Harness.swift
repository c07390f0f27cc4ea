import Foundation
import WhittleCodegen

/// Builds and runs the harness programs for an emitted folder without trusting any of the
/// folder's build files. The model's C (`model.h`, `model.c`, `model_weights.c`, `kernels/`) is
/// copied into a staging folder next to whittle's own harness for the target — `Makefile.in`
/// filled in from the target descriptor as `emit` does, `test_main.c`, `bench_main.c`, and the
/// target's startup and linker files — and the test vectors' inputs; `make` runs there. The
/// folder's own `Makefile`, `test_main.c` and target files are never read, so flags or a harness
/// edited after emission cannot change the verdict.
public struct Harness: Sendable {
    /// The emitted folder (only read: named in messages).
    public let folder: URL
    public let target: TargetDescriptor
    /// Where programs are built and their outputs written.
    public let buildDirectory: URL
    /// The staged sources (model C + whittle's harness + `vectors/inputs.bin`); programs run here.
    public let sourceDirectory: URL
    /// Told before each build and run (nil: nothing is told).
    public var progress: VerifyProgress?

    /// The model's own files copied from the folder; everything else comes from whittle.
    public static let modelSources = ["model.h", "model.c", "model_weights.c"]
    public static let kernelFolder = "kernels"

    /// Checks that `make`, the target's compiler and its emulator are installed, then stages the
    /// model's C from `folder`, whittle's harness for `target` from `resources`, and `inputs`
    /// (test vectors back to back) as `vectors/inputs.bin` under `buildDirectory`.
    public init(folder: URL, target: TargetDescriptor, resources: WhittleResources, buildDirectory: URL, inputs: [Int8],
                progress: VerifyProgress? = nil) throws {
        if let missing = Toolchain.missing(for: target).first {
            throw VerifyInputError("\(missing.description) for target '\(target.name)' not found on PATH; install the Debian package '\(missing.package)'")
        }
        self.folder = folder
        self.target = target
        self.buildDirectory = buildDirectory
        self.progress = progress
        sourceDirectory = buildDirectory.appendingPathComponent("src")
        let harness: [(path: String, bytes: [UInt8])]
        do {
            harness = try Emitter.harnessFiles(for: target, resources: resources)
        } catch let error as CodegenError {
            throw VerifyInputError(error.description)
        }
        var files = try Self.modelFiles(of: folder) + harness
        files.append(("vectors/inputs.bin", inputs.map { UInt8(bitPattern: $0) }))
        let manager = FileManager.default
        do {
            for file in files {
                let url = sourceDirectory.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url)
            }
        } catch {
            throw VerifyInputError("cannot stage the build in \(buildDirectory.path): \(error.localizedDescription)")
        }
    }

    /// `model.h`, `model.c`, `model_weights.c` and the regular `.c`/`.h` files of `kernels/`, read
    /// from `folder` (symbolic links and other special files are refused, never followed).
    static func modelFiles(of folder: URL) throws -> [(path: String, bytes: [UInt8])] {
        let manager = FileManager.default
        func read(_ path: String) throws -> [UInt8] {
            let url = folder.appendingPathComponent(path)
            guard let attributes = try? manager.attributesOfItem(atPath: url.path) else {
                throw VerifyInputError("\(url.path): missing; emit the folder again")
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular, let data = manager.contents(atPath: url.path) else {
                throw VerifyInputError("\(url.path): not a regular file; emit the folder again")
            }
            return [UInt8](data)
        }
        var files = try modelSources.map { ($0, try read($0)) }
        let kernels = folder.appendingPathComponent(kernelFolder)
        if (try? manager.attributesOfItem(atPath: kernels.path))?[.type] as? FileAttributeType == .typeDirectory {
            let names = ((try? manager.contentsOfDirectory(atPath: kernels.path)) ?? []).sorted()
            for name in names where name.hasSuffix(".c") || name.hasSuffix(".h") {
                let path = "\(kernelFolder)/\(name)"
                guard (try? manager.attributesOfItem(atPath: folder.appendingPathComponent(path).path))?[.type] as? FileAttributeType == .typeRegular else {
                    continue
                }
                files.append((path, try read(path)))
            }
        }
        return files
    }

    /// Builds one program of whittle's Makefile (`test_model`, `test_model_sanitized`, `bench_model`,
    /// `footprint_model`, `footprint_empty`) in the staging folder.
    public func build(_ program: String) throws -> URL {
        progress?("building \(program)")
        let result = try ProcessRunner.run(["make", "-s", "-C", sourceDirectory.path, "BUILD=\(buildDirectory.path)", program], timeout: 600)
        guard result.status == 0, !result.timedOut else {
            let lines = result.standardError.split(whereSeparator: \.isNewline)
            // The linker's "region `RAM' overflowed by N bytes" says more than collect2's summary.
            if let overflow = lines.first(where: { $0.contains("overflowed by") }) {
                let detail = overflow.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? String(overflow)
                throw VerifyCheckFailure("\(folder.path): \(program) does not fit target '\(target.name)': \(detail) (the model with the verification harness's buffers and stack)")
            }
            let message = lines.first { $0.contains("error") }.map(String.init) ?? result.firstMessageLine
            throw VerifyCheckFailure("\(folder.path): building \(program) for target '\(target.name)' failed: \(message)")
        }
        return buildDirectory.appendingPathComponent(program)
    }

    /// Runs a built program from inside the staging folder, through the target's runner if it has
    /// one (`runnerArguments` are added to the runner's, e.g. to count instructions). With
    /// `outputs`, progress tells how many vectors the program has written so far.
    public func run(_ program: URL, _ arguments: [String], runnerArguments: [String] = [], environment: [String: String] = [:],
                    timeout: TimeInterval = 600, outputs: OutputsWritten? = nil) throws -> ProcessResult {
        let step = "running \(program.lastPathComponent)" + (target.runner.first.map { " under \($0)" } ?? "")
        progress?(step)
        var whileRunning: (() -> Void)?
        if let progress, let outputs { whileRunning = { progress(step + ": " + outputs.writtenSoFar) } }
        return try ProcessRunner.run(command(program, arguments) + runnerArguments, in: sourceDirectory, environment: environment,
                                     timeout: timeout, whileRunning: whileRunning)
    }

    /// The command line that runs `program`: the program itself, or the target's runner with
    /// `{program}` and `{arguments}` (the arguments joined by spaces) filled in.
    public func command(_ program: URL, _ arguments: [String]) -> [String] {
        guard !target.runner.isEmpty else { return [program.path] + arguments }
        let joined = arguments.joined(separator: " ")
        let command = target.runner.map {
            $0.replacingOccurrences(of: "{program}", with: program.path).replacingOccurrences(of: "{arguments}", with: joined)
        }
        return target.runner.contains(where: { $0.contains("{arguments}") }) ? command : command + arguments
    }
}
