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
        return data
    }
}
