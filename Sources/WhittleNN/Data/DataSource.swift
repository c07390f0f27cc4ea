import Foundation

/// Where a command's samples come from: `--data DIR`, else the spec's `data.dir`, else the
/// built-in synthetic data. A folder holding `x_train.npy` or `x_test.npy` is read as NumPy,
/// any other as IDX.
public enum DataSource: Equatable, Sendable {
    case idx(directory: String)
    case npy(directory: String)
    case synthetic(DataSpec.SyntheticSpec)

    public static func resolve(_ spec: Spec, override: String?) -> DataSource {
        if let dir = override { return folder(dir) }
        if let dir = spec.data.dir {
            return folder(dir.hasPrefix("/") ? dir : URL(fileURLWithPath: spec.baseDirectory).appendingPathComponent(dir).path)
        }
        return .synthetic(spec.data.synthetic ?? DataSpec.SyntheticSpec())
    }

    /// The reader for a folder, by the files it holds.
    public static func folder(_ dir: String) -> DataSource {
        let numpy = ["x_train.npy", "x_test.npy"].contains { FileManager.default.fileExists(atPath: "\(dir)/\($0)") }
        return numpy ? .npy(directory: dir) : .idx(directory: dir)
    }

    public var summary: String {
        switch self {
        case .idx(let d), .npy(let d): return d
        case .synthetic(let s): return "synthetic data (\(s.train) train / \(s.test) test, seed \(s.seed))"
        }
    }

    /// Loads one split, applies the spec's normalisation, normal classes and sample limits, and
    /// checks that the samples have the spec's input shape and labels that fit its target.
    public func load(_ split: IDXDataset.Split, spec: Spec) throws -> Dataset {
        // The model is built first: a bad spec fails before any data is read or generated.
        let outputs = try spec.buildGraph(seed: 0).outputShape.reduce(1, *)
        let classifies = spec.train.target == .labels
        var data: Dataset
        switch self {
        case .idx(let dir): data = try IDXDataset.load(directory: dir, split: split, layout: spec.data.layout)
        case .npy(let dir): data = try NPYDataset.load(directory: dir, split: split, layout: spec.data.layout)
        case .synthetic(let s):
            let classes = classifies ? outputs : SyntheticData.defaultClasses
            data = split == .train
                ? try SyntheticData.generate(shape: spec.input, classes: classes, count: s.train, seed: s.seed, name: "synthetic/train")
                : try SyntheticData.generate(shape: spec.input, classes: classes, count: s.test, seed: s.seed ^ 0x7E57, name: "synthetic/test")
        }
        if let n = spec.data.normalize { data.normalization.mean = n.mean; data.normalization.std = n.std }
        if split == .train, let normal = spec.data.normalClasses {
            guard data.isLabelled else { throw DataError("\(labelSource(split, data)): missing, but data.normal_classes needs the training labels") }
            let keep = Set(normal)
            data = data.subset(data.labels.indices.filter { keep.contains(Int(data.labels[$0])) })
        }
        if let limit = split == .train ? spec.data.trainLimit : spec.data.testLimit { data = data.prefix(limit) }
        data.sampleShape = try SampleShape.view(data.sampleShape, as: spec.input, data: data.name)
        guard data.count > 0 else {
            throw DataError("\(data.name): holds no samples\(spec.data.normalClasses == nil ? "" : " of data.normal_classes \(spec.data.normalClasses!)")")
        }
        if classifies { try checkLabels(data, classes: outputs, from: labelSource(split, data)) }
        return data
    }

    /// The file (or name) that holds a split's labels, for errors.
    private func labelSource(_ split: IDXDataset.Split, _ data: Dataset) -> String {
        switch self {
        case .idx(let dir): return "\(dir)/\(split.rawValue)-labels-idx1-ubyte"
        case .npy(let dir): return NPYDataset.labelsPath(dir, split)
        case .synthetic: return data.name
        }
    }

    /// A classifier's labels must exist and index the model's outputs (a loss reads logits[label]).
    private func checkLabels(_ data: Dataset, classes: Int, from source: String) throws {
        guard data.isLabelled else { throw DataError("\(source): missing, but train.target \"labels\" needs labels") }
        if let bad = data.labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DataError("\(source): sample \(bad) has label \(data.labels[bad]), but the model has \(classes) outputs (labels 0…\(classes - 1))")
        }
    }
}
