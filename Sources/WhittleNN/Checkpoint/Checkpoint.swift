import Foundation
import WhittleSupport
import WhittleTensor

/// Saving and loading a model's state with PyTorch state_dict names and layouts
/// (`conv1.weight` [out, in, kh, kw], `bn1.running_mean`, `bn1.num_batches_tracked` as I64),
/// so a state_dict saved by `safetensors.torch.save_file` loads here and back.
public enum Checkpoint {
    /// Writes atomically: the file appears complete or not at all. `masks` (by parameter name)
    /// are saved next to their parameter as `conv1.weight_mask`, the name PyTorch's pruning uses.
    public static func save(_ graph: Graph, to path: String, metadata: [String: String] = [:],
                            masks: [String: Tensor] = [:]) throws {
        try AtomicOutput.write(try encode(graph, metadata: metadata, masks: masks), to: URL(fileURLWithPath: path))
    }

    /// The safetensors bytes `save` writes.
    public static func encode(_ graph: Graph, metadata: [String: String] = [:], masks: [String: Tensor] = [:]) throws -> Data {
        var file = SafeTensors()
        file.metadata = ["format": "pt"].merging(metadata) { $1 }
        for (name, p) in graph.namedParameters {
            file.entries.append((name, .init(floats: p.value.storage, shape: p.value.shape)))
            if let mask = masks[name] { file.entries.append((name + maskSuffix, .init(floats: mask.storage, shape: mask.shape))) }
        }
        for (name, t) in graph.namedBuffers {
            if name.hasSuffix("num_batches_tracked") {
                var v = Int64(t.storage.first ?? 0).littleEndian
                file.entries.append((name, .init(dtype: .i64, shape: [], bytes: Data(bytes: &v, count: 8))))
            } else {
                file.entries.append((name, .init(floats: t.storage, shape: t.shape)))
            }
        }
        return try file.encoded()
    }

    /// Loads every parameter and buffer of `graph` from `path`. Missing tensors, wrong shapes and
    /// tensors the model does not have are errors naming the tensor.
    ///
    /// Pruned checkpoints load too, and their masks are returned by parameter name: ours carry
    /// `conv1.weight` and `conv1.weight_mask`; PyTorch's (before `prune.remove`) carry
    /// `conv1.weight_orig` and `conv1.weight_mask`, and the weight is orig·mask, as PyTorch
    /// computes it. A mask must have its parameter's shape and hold only 0 and 1.
    @discardableResult
    public static func load(_ path: String, into graph: Graph) throws -> [String: Tensor] {
        try load(try SafeTensors(contentsOf: path), named: path, into: graph)
    }

    /// `load(_:into:)` for a container already read; `path` names it in errors.
    @discardableResult
    public static func load(_ file: SafeTensors, named path: String, into graph: Graph) throws -> [String: Tensor] {
        var expected = Set<String>()
        var masks: [String: Tensor] = [:]
        for (name, p) in graph.namedParameters {
            let stored = file[name] == nil && file[name + origSuffix] != nil ? name + origSuffix : name
            expected.formUnion([stored, name + maskSuffix])
            p.value = try tensor(file, stored, shape: p.value.shape, path: path)
            guard file[name + maskSuffix] != nil else { continue }
            let mask = try tensor(file, name + maskSuffix, shape: p.value.shape, path: path)
            if let bad = mask.storage.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw CheckpointError("\(path): tensor '\(name + maskSuffix)' must hold only 0 and 1, found \(mask.storage[bad]) at element \(bad)")
            }
            for i in 0..<mask.count where mask.storage[i] == 0 { p.value.storage[i] = 0 }
            masks[name] = mask
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
        return masks
    }

    /// Suffixes of PyTorch's pruning reparametrisation: `weight = weight_orig * weight_mask`.
    public static let maskSuffix = "_mask", origSuffix = "_orig"

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
