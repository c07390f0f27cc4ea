import Foundation
import WhittleTensor

/// Saving and loading a model's state with PyTorch state_dict names and layouts
/// (`conv1.weight` [out, in, kh, kw], `bn1.running_mean`, `bn1.num_batches_tracked` as I64),
/// so a state_dict saved by `safetensors.torch.save_file` loads here and back.
public enum Checkpoint {
    /// Writes atomically: the file appears complete or not at all.
    public static func save(_ graph: Graph, to path: String, metadata: [String: String] = [:]) throws {
        var file = SafeTensors()
        file.metadata = ["format": "pt"].merging(metadata) { $1 }
        for (name, p) in graph.namedParameters { file.entries.append((name, .init(floats: p.value.storage, shape: p.value.shape))) }
        for (name, t) in graph.namedBuffers {
            if name.hasSuffix("num_batches_tracked") {
                var v = Int64(t.storage.first ?? 0).littleEndian
                file.entries.append((name, .init(dtype: .i64, shape: [], bytes: Data(bytes: &v, count: 8))))
            } else {
                file.entries.append((name, .init(floats: t.storage, shape: t.shape)))
            }
        }
        let data = try file.encoded()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw CheckpointError("\(path): cannot write (\(error.localizedDescription))")
        }
    }

    /// Loads every parameter and buffer of `graph` from `path`. Missing tensors, wrong shapes and
    /// tensors the model does not have are errors naming the tensor.
    public static func load(_ path: String, into graph: Graph) throws {
        let file = try SafeTensors(contentsOf: path)
        var expected = Set<String>()
        for (name, p) in graph.namedParameters {
            expected.insert(name)
            p.value = try tensor(file, name, shape: p.value.shape, path: path)
        }
        for node in graph.nodes {
            guard let layer = node.layer else { continue }
            for (local, t) in layer.buffers {
                let name = "\(node.name).\(local)"
                expected.insert(name)
                // PyTorch omits num_batches_tracked when track_running_stats is off; tolerate its absence.
                if local == "num_batches_tracked" && file[name] == nil { continue }
                layer.setBuffer(local, try tensor(file, name, shape: t.shape, path: path))
            }
        }
        if let extra = file.entries.first(where: { !expected.contains($0.name) }) {
            throw CheckpointError("\(path): tensor '\(extra.name)' does not belong to this model (wrong spec?)")
        }
    }

    private static func tensor(_ file: SafeTensors, _ name: String, shape: [Int], path: String) throws -> Tensor {
        guard let e = file[name] else { throw CheckpointError("\(path): tensor '\(name)' is missing (wrong spec?)") }
        guard e.shape == shape else {
            throw CheckpointError("\(path): tensor '\(name)' has shape \(e.shape), the model needs \(shape)")
        }
        let values = e.floats()
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError("\(path): tensor '\(name)' holds \(values[bad]) at element \(bad)")
        }
        return Tensor(shape: shape, storage: values)
    }
}
