import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify

/// The integer half of every pipeline: emit a QGraph as C for a target, then build, run and
/// compare it (bit-exact against the reference, accuracy against float).
struct CBackend {
    var target = "host"
    var measureCost = false
    var sanitize = true

    struct Result {
        var manifest: EmitManifest
        var verify: VerifyReport
    }

    func emitAndVerify(_ graph: QGraph, modelName: String, to folder: URL) throws -> Result {
        let resources = try WhittleResources.locate()
        let descriptor = try TargetDescriptor.load(named: target, from: resources)
        let manifest = try Emitter.emit(graph, options: EmitOptions(target: descriptor, modelName: modelName),
                                        resources: resources, to: folder).manifest
        let verify = try FolderVerifier.verify(folder: folder, resources: resources,
                                               options: VerifyOptions(sanitize: sanitize, measureCost: measureCost))
        return Result(manifest: manifest, verify: verify)
    }
}
