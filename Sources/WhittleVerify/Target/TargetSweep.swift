import Foundation
import WhittleCodegen
import WhittleIR

/// `verify DIR --target T`: an emitted folder checked on another target. The folder carries the
/// model it was emitted from (`whittle.q`) and its vectors, so it is emitted again for T with the
/// same vectors (validation inputs, or random ones from the recorded seed) and verified there.
public enum TargetSweep {
    /// Emits the model of `folder` for `target` into `destination`, with the folder's vectors.
    public static func reemit(_ folder: URL, for target: TargetDescriptor, resources: WhittleResources, into destination: URL) throws {
        let manifest = try EmitManifest.read(from: folder)
        let modelURL = folder.appendingPathComponent(EmitManifest.modelFileName)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw VerifyInputError("\(modelURL.path): missing; emit the folder again to verify it on another target")
        }
        var graph: QGraph
        do {
            graph = try QGraphFile.read(from: modelURL)
        } catch {
            throw VerifyInputError("\(error)")
        }
        let vectors = try EmittedVectors(folder: folder, manifest: manifest)
        if manifest.vectors.seed == nil {
            graph.validation = ValidationSet(count: vectors.count, inputs: vectors.inputs, labels: vectors.labels,
                                             floatLogits: vectors.floatLogits)
        }
        let options = EmitOptions(target: target, modelName: manifest.model, vectorCount: manifest.vectors.count,
                                  seed: manifest.vectors.seed ?? 1)
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
    public static func verify(_ folder: URL, on targets: [TargetDescriptor], resources: WhittleResources,
                              options: VerifyOptions) throws -> [(target: String, outcome: Outcome)] {
        let manifest = try EmitManifest.read(from: folder)
        var results: [(target: String, outcome: Outcome)] = []
        for target in targets {
            let missing = Toolchain.missing(for: target)
            guard missing.isEmpty else {
                results.append((target.name, .skipped(packages: missing.map(\.package))))
                continue
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-target-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            do {
                var emitted = folder
                if target.name != manifest.target {
                    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                    emitted = scratch.appendingPathComponent(target.name)
                    try reemit(folder, for: target, resources: resources, into: emitted)
                }
                results.append((target.name, .verified(try FolderVerifier.verify(folder: emitted, resources: resources, options: options))))
            } catch let error as VerifyCheckFailure {
                results.append((target.name, .failed(message: error.description, badInput: false)))
            } catch {
                results.append((target.name, .failed(message: String(describing: error), badInput: true)))
            }
        }
        return results
    }
}
