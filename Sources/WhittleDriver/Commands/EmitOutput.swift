import Foundation
import WhittleCodegen

extension EmitCommand {
    /// `emit --json`: the folder's `whittle.json` in snake_case, its RAM figure, and the files'
    /// SHA-256 as a list (the manifest's `files` is keyed by path, and paths are not keys to
    /// convert: `Makefile` stays `Makefile`).
    struct Output: Encodable {
        var folder: String
        /// Arena + kernel scratch: the model's static RAM on the host.
        var ramBytes: Int
        var format: Int
        var model: String
        var target: String
        var optimize: String
        var weightFormats: String
        var input: EmitManifest.Tensor
        var output: EmitManifest.Tensor
        var vectors: EmitManifest.Vectors
        var memory: EmitManifest.Memory
        var constantBytes: Int
        var float32ParameterBytes: Int
        var macs: Int
        var executedMacs: Int
        var kernels: [String]
        var layers: [LayerReport]
        var files: [File]

        struct File: Encodable {
            /// Relative to the folder.
            var path: String
            var sha256: String
        }

        init(_ m: EmitManifest, folder: URL) {
            (self.folder, ramBytes, format, model, target) = (folder.path, m.memory.ramBytes, m.format, m.model, m.target)
            (optimize, weightFormats) = (m.optimize, m.weightFormats)
            (input, output, vectors, memory) = (m.input, m.output, m.vectors, m.memory)
            (constantBytes, float32ParameterBytes, macs, executedMacs) = (m.constantBytes, m.float32ParameterBytes, m.macs, m.executedMacs)
            (kernels, layers) = (m.kernels, m.layers)
            files = m.files.sorted { $0.key < $1.key }.map { File(path: $0.key, sha256: $0.value) }
        }
    }
}
