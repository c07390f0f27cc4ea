import Foundation
import WhittleCodegen
import WhittleIR
import WhittleNN
import WhittleVerify

/// The integer half of every pipeline: emit a QGraph as C for a target, then build, run and
/// compare it (bit-exact against the reference, accuracy against float).
struct CBackend {
    var target = "host"
    var measureCost = false
    var sanitize = true
    /// Shows each step of emission and verification (nil: nothing is shown).
    var progress: ProgressLine?
    /// Put before each step shown ("compare: per-channel MSE: "), for a run that emits several models.
    var label = ""

    struct Result {
        var manifest: EmitManifest
        var verify: VerifyReport
    }

    func emitAndVerify(_ graph: QGraph, modelName: String, to folder: URL) throws -> Result {
        let resources = try WhittleResources.locate()
        let descriptor = try TargetDescriptor.load(named: target, from: resources)
        var emitOptions = EmitOptions(target: descriptor, modelName: modelName)
        let label = label
        emitOptions.progress = progress.map { line in { @Sendable step in line.update(label + "emit: " + step) } }
        let manifest = try Emitter.emit(graph, options: emitOptions, resources: resources, to: folder).manifest
        // Verification's steps are few and each may take seconds: every one is drawn.
        var verifyOptions = VerifyOptions(sanitize: sanitize, measureCost: measureCost)
        verifyOptions.progress = progress.map { line in { @Sendable step in line.update(label + "verify: " + step, force: true) } }
        let verify = try FolderVerifier.verify(folder: folder, resources: resources, options: verifyOptions)
        return Result(manifest: manifest, verify: verify)
    }
}
