import Foundation
import WhittleSupport
import WhittleCodegen
import WhittleIR

/// `verify DIR --target T`: an emitted folder checked on another target. The folder carries the
/// model it was emitted from (`whittle.q`) and its vectors, so it is emitted again for T with the
/// same vectors (validation inputs, or random ones from the recorded seed) and verified there.
public enum TargetSweep {
    /// Emits the model of `folder` for `target` into `destination`, with the folder's vectors.
    public static func reemit(_ folder: URL, for target: TargetDescriptor, resources: WhittleResources, into destination: URL,
                              progress: VerifyProgress? = nil) throws {
        let manifest: EmitManifest
        do {
            manifest = try EmitManifest.read(from: folder)
        } catch let error as CodegenError {
            throw VerifyInputError(error.description)
        }
        var graph = try ReferenceOutputs.model(in: folder, manifest: manifest)
        let vectors = try EmittedVectors(folder: folder, manifest: manifest)
        if manifest.vectors.seed == nil {
            graph.validation = ValidationSet(count: vectors.count, inputs: vectors.inputs, labels: vectors.labels,
                                             floatLogits: vectors.floatLogits, expectedOutputs: vectors.givenExpected,
                                             reconstruction: graph.validation?.reconstruction)
        }
        var options = EmitOptions(target: target, modelName: manifest.model, vectorCount: manifest.vectors.count,
                                  seed: manifest.vectors.seed ?? 1, passes: manifest.passOptions)
        options.progress = progress.map { tell in { @Sendable step in tell("emitting the model: " + step) } }
        do {
            try Emitter.emit(graph, options: options, resources: resources, to: destination)
        } catch let error as CodegenError {
            throw VerifyInputError(error.description)
        }
    }

    /// What became of one target of a sweep.
    public enum Outcome: Sendable {
        case verified(VerifyReport)
        /// The toolchain is not installed: the packages that would install it.
        case skipped(packages: [String])
        /// Bad input (over budget, …) or a failed check (fault, timeout, a build error): one line.
        case failed(message: String, badInput: Bool)
    }

    /// Verifies the model of `folder` on each of `targets` (the folder itself for its own
    /// target, a fresh emission for the others); targets without their toolchain are skipped.
    /// The folder's files are checked against their hashes first: files changed since emission
    /// throw `VerifyCheckFailure` unless `options.allowModified`, and are then noted in every report.
    public static func verify(_ folder: URL, on targets: [TargetDescriptor], resources: WhittleResources,
                              options: VerifyOptions) throws -> [(target: String, outcome: Outcome)] {
        let (manifest, integrity) = try FolderVerifier.checkedManifest(folder: folder, allowModified: options.allowModified)
        var results: [(target: String, outcome: Outcome)] = []
        for (index, target) in targets.enumerated() {
            let missing = Toolchain.missing(for: target)
            guard missing.isEmpty else {
                results.append((target.name, .skipped(packages: missing.map(\.package))))
                continue
            }
            let scratch = Temporaries.path(in: FileManager.default.temporaryDirectory, label: "target")
            defer { Temporaries.remove(scratch) }
            // Each step told with the target it is for: "cortex-m3 (2 of 6): building test_model".
            let prefix = target.name + (targets.count == 1 ? ": " : " (\(index + 1) of \(targets.count)): ")
            var targetOptions = options
            targetOptions.progress = options.progress.map { tell in { @Sendable step in tell(prefix + step) } }
            do {
                var emitted = folder
                if target.name != manifest.target {
                    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                    emitted = scratch.appendingPathComponent(target.name)
                    try reemit(folder, for: target, resources: resources, into: emitted, progress: targetOptions.progress)
                }
                // --profile over several targets profiles those with a timing table, and verifies the rest.
                targetOptions.profile = options.profile && (targets.count == 1 || target.timing != nil)
                var report = try FolderVerifier.verify(folder: emitted, resources: resources, options: targetOptions)
                if !integrity.isIntact { report.modifiedFiles = integrity }
                results.append((target.name, .verified(report)))
            } catch let error as VerifyCheckFailure {
                results.append((target.name, .failed(message: error.description, badInput: false)))
            } catch {
                results.append((target.name, .failed(message: String(describing: error), badInput: true)))
            }
        }
        return results
    }
}
