extension Spec {
    /// The spec with the layer widths a checkpoint holds, so a model whose filters were removed
    /// by structured pruning loads with the spec it was trained from.
    ///
    /// Widths come from the tensor shapes: `conv1.weight` [3, 1, 5, 5] sets conv1's
    /// `out_channels` to 3, `fc1.weight` [120, 128] sets fc1's `out_features` to 120 (and an
    /// explicit `in_channels` / `in_features` to the second dimension; a depthwise conv's
    /// `groups` follows its channels). Everything else is
    /// inferred as usual when the graph is built (BatchNorm widths, the next layer's inputs), so
    /// the same rule reads checkpoints pruned by PyTorch (`conv1.weight_orig` counts too).
    /// Layers the checkpoint does not hold are left alone; `Checkpoint.load` reports them.
    public func adapted(toCheckpoint file: SafeTensors) -> Spec {
        var spec = self
        for (i, (name, type)) in layerNames.enumerated() where type == .conv2d || type == .linear {
            guard let shape = (file[name + ".weight"] ?? file[name + ".weight" + Checkpoint.origSuffix])?.shape else { continue }
            var layer = spec.layers[i]
            if type == .conv2d, shape.count == 4 {
                // A depthwise conv (groups == out_channels) that lost channels keeps one group per channel.
                if let groups = layer.groups, groups > 1, groups == layer.outChannels, shape[1] == 1 { layer.groups = shape[0] }
                layer.outChannels = shape[0]
                if layer.inChannels != nil { layer.inChannels = shape[1] * (layer.groups ?? 1) }
            } else if type == .linear, shape.count == 2 {
                layer.outFeatures = shape[0]
                if layer.inFeatures != nil { layer.inFeatures = shape[1] }
            }
            spec.layers[i] = layer
        }
        return spec
    }

    /// Reads the checkpoint at `path` and adapts to it (see `adapted(toCheckpoint:)`).
    public func adapted(toCheckpoint path: String) throws -> Spec {
        adapted(toCheckpoint: try SafeTensors(contentsOf: path))
    }
}
