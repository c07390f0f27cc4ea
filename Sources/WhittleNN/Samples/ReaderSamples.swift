import Foundation
import WhittleTensor

/// Valid files for each float-side reader (the fuzzers' seed corpora, written fresh from the
/// writers each time fuzzing starts) and the read paths the fuzzers drive. The tests replay the
/// seeds and every saved crash through the same functions.
public enum ReaderSamples {
    public typealias File = (name: String, bytes: Data)

    // MARK: IDX

    public static func idxFiles() -> [File] {
        let images = IDXFile.encode(bytes: (0..<48).map { UInt8($0 * 5) }, dimensions: [3, 4, 4])
        let labels = IDXFile.encode(bytes: [0, 2, 1], dimensions: [3])
        var floats = Data([0, 0, 0x0D, 1, 0, 0, 0, 3])
        for v: Float in [0, 1, 2] { withUnsafeBytes(of: v.bitPattern.bigEndian) { floats.append(contentsOf: $0) } }
        return [("images.idx", images), ("labels.idx", labels), ("float-labels.idx", floats),
                ("images.idx.gz", Gzip.compress(images)), ("labels.idx.gz", Gzip.compress(labels))]
    }

    /// Reads `bytes` as an IDX file, then as a dataset's images and as its labels.
    public static func readIDX(_ bytes: Data) {
        guard let file = try? IDXFile(fileBytes: bytes), let count = file.dimensions.first else { return }
        let labels = IDXFile.encode(bytes: [UInt8](repeating: 1, count: min(count, 1 << 16)), dimensions: [count])
        let images = IDXFile.encode(bytes: [UInt8](repeating: 7, count: min(count, 1 << 16) * 4), dimensions: [count, 2, 2])
        if let l = try? IDXFile(data: labels) {
            _ = try? IDXDataset.assemble(images: file, from: "images", labels: l, from: "labels", name: "fuzz")
        }
        if let i = try? IDXFile(data: images) {
            _ = try? IDXDataset.assemble(images: i, from: "images", labels: file, from: "labels", name: "fuzz")
        }
    }

    // MARK: safetensors

    /// A small model with every layer kind that has state (conv, batch norm, linear).
    static let modelSpec = """
    {"name": "fuzz", "input": [1, 6, 6], "layers": [
      {"type": "conv2d", "out_channels": 2, "kernel": 3}, {"type": "batchnorm2d"}, {"type": "relu"},
      {"type": "flatten"}, {"type": "linear", "out_features": 3}]}
    """

    public static func model() -> Graph? {
        try? Spec.parse(Data(modelSpec.utf8), file: "fuzz.json").buildGraph(seed: 1)
    }

    public static func safetensorsFiles() -> [File] {
        guard let graph = model() else { return [] }
        let mask = Tensor(shape: [2, 1, 3, 3], storage: (0..<18).map { Float($0 % 2) })
        return [("model.safetensors", try? Checkpoint.encode(graph)),
                ("pruned.safetensors", try? Checkpoint.encode(graph, metadata: ["step": "1"], masks: ["conv0.weight": mask]))]
            .compactMap { name, bytes in bytes.map { (name, $0) } }
    }

    /// Parses `bytes` as safetensors, converts every tensor, and loads it into the small model.
    public static func readSafeTensors(_ bytes: Data) {
        guard let file = try? SafeTensors(data: bytes) else { return }
        for (_, entry) in file.entries { _ = entry.floats() }
        if let graph = model() { _ = try? Checkpoint.load(file, named: "fuzz.safetensors", into: graph) }
    }

    // MARK: spec

    public static func specFiles() -> [File] {
        [("model.json", Data(modelSpec.utf8)),
         ("residual.json", Data("""
         {"name": "res", "input": [3, 8, 8], "layers": [
           {"name": "a", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1},
           {"name": "b", "type": "conv2d", "out_channels": 4, "kernel": 3, "padding": 1, "groups": 4},
           {"name": "s", "type": "add", "inputs": ["a", "b"]}, {"type": "maxpool2d", "kernel": 2},
           {"type": "dropout", "p": 0.2}, {"type": "global_avgpool"}, {"type": "flatten"},
           {"type": "batchnorm1d", "momentum": 0.1}, {"type": "linear", "out_features": 10}],
          "data": {"synthetic": {"train": 10, "test": 5}},
          "train": {"epochs": 1, "optimizer": {"type": "adam", "lr": 0.001}, "schedule": {"type": "cosine"}}}
         """.utf8))]
    }

    /// Parses and validates `bytes` as a spec and builds its model.
    public static func readSpec(_ bytes: Data) {
        guard let spec = try? Spec.parse(bytes, file: "fuzz.json") else { return }
        _ = try? spec.buildGraph()
    }
}
