import Foundation

/// Where a command's samples come from: `--data DIR`, else the spec's `data.dir`, else the
/// built-in synthetic digits.
public enum DataSource: Equatable, Sendable {
    case idx(directory: String)
    case synthetic(DataSpec.SyntheticSpec)

    public static func resolve(_ spec: Spec, override: String?) -> DataSource {
        if let dir = override { return .idx(directory: dir) }
        if let dir = spec.data.dir {
            return .idx(directory: dir.hasPrefix("/") ? dir : URL(fileURLWithPath: spec.baseDirectory).appendingPathComponent(dir).path)
        }
        return .synthetic(spec.data.synthetic ?? DataSpec.SyntheticSpec())
    }

    public var summary: String {
        switch self {
        case .idx(let d): return d
        case .synthetic(let s): return "synthetic digits (\(s.train) train / \(s.test) test, seed \(s.seed))"
        }
    }

    /// Loads one split, applies the spec's normalisation and sample limits, and checks that
    /// the samples have the spec's input shape.
    public func load(_ split: IDXDataset.Split, spec: Spec) throws -> Dataset {
        // The model is built first: a bad spec fails before any data is read or generated.
        let classes = try spec.buildGraph(seed: 0).outputShape.reduce(1, *)
        var data: Dataset
        switch self {
        case .idx(let dir): data = try IDXDataset.load(directory: dir, split: split)
        case .synthetic(let s):
            data = split == .train
                ? SyntheticDigits.generate(count: s.train, seed: s.seed, name: "synthetic/train")
                : SyntheticDigits.generate(count: s.test, seed: s.seed ^ 0x7E57, name: "synthetic/test")
        }
        if let n = spec.data.normalize { data.normalization.mean = n.mean; data.normalization.std = n.std }
        if let limit = split == .train ? spec.data.trainLimit : spec.data.testLimit { data = data.prefix(limit) }
        guard data.sampleShape.reduce(1, *) == spec.input.reduce(1, *) else {
            throw DataError("\(data.name): samples are \(data.sampleShape), but the spec's input is \(spec.input)")
        }
        data.sampleShape = spec.input // same elements, the spec's view of them (e.g. [784])
        switch self {
        case .idx(let dir): try checkLabels(data, classes: classes, from: "\(dir)/\(split.rawValue)-labels-idx1-ubyte")
        case .synthetic: try checkLabels(data, classes: classes, from: data.name)
        }
        return data
    }

    /// Every split's labels must index the model's outputs (a loss reads logits[label]).
    private func checkLabels(_ data: Dataset, classes: Int, from source: String) throws {
        guard data.count > 0 else { throw DataError("\(data.name): holds no samples") }
        if let bad = data.labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DataError("\(source): sample \(bad) has label \(data.labels[bad]), but the model has \(classes) outputs (labels 0…\(classes - 1))")
        }
    }
}
