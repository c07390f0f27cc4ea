import Foundation
import WhittleCodegen
import WhittleIR

/// The outputs a folder's C must produce, computed here rather than read from the folder: the
/// model the folder was emitted from (`whittle.q`) run through the reference interpreter on the
/// folder's input vectors.
enum ReferenceOutputs {
    /// Largest `whittle.q` read (its hash in `whittle.json` bounds an unmodified one anyway).
    static let modelFileLimit = 1 << 30

    /// The emitted model, checked against the manifest's input and output sizes.
    static func model(in folder: URL, manifest: EmitManifest) throws -> QGraph {
        let url = folder.appendingPathComponent(EmitManifest.modelFileName)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            throw VerifyInputError("\(url.path): missing; verify computes the expected outputs from it, so emit the folder again")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw VerifyInputError("\(url.path): not a regular file; emit the folder again")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= modelFileLimit else {
            throw VerifyInputError("\(url.path): \(size) bytes, more than the limit of \(modelFileLimit) for an emitted model; emit the folder again")
        }
        let graph: QGraph
        do {
            graph = try QGraphFile.read(from: url)
        } catch {
            throw VerifyInputError("\(error)")
        }
        let manifestPath = folder.appendingPathComponent(EmitManifest.fileName).path
        for (field, tensor, size) in [("input", graph.inputTensor, manifest.input.size), ("output", graph.outputTensor, manifest.output.size)]
            where tensor.byteCount != size {
            throw VerifyInputError("\(manifestPath): field '\(field).size' is \(size), but \(url.lastPathComponent)'s \(field) holds \(tensor.byteCount) values; emit the folder again")
        }
        return graph
    }

    /// The reference interpreter's outputs for the first `count` vectors of `inputs`.
    static func compute(_ graph: QGraph, inputs: [Int8], count: Int, folder: URL, progress: VerifyProgress? = nil) throws -> [Int8] {
        let interpreter: ReferenceInterpreter
        do {
            interpreter = try ReferenceInterpreter(graph: graph)
        } catch {
            throw VerifyInputError("\(folder.appendingPathComponent(EmitManifest.modelFileName).path): \(error)")
        }
        let size = graph.inputTensor.byteCount
        progress?("reference outputs 0/\(count)")
        return interpreter.run(batch: Array(inputs.prefix(count * size)), count: count) { done in
            progress?("reference outputs \(done)/\(count)")
        }
    }
}
