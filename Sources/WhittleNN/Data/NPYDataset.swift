import Foundation

/// Reads NumPy folders: `x_train.npy`, `y_train.npy`, `x_test.npy`, `y_test.npy`. Samples are
/// uint8 (kept as bytes, so firmware gets a raw-input table) or float32; labels are 1-D
/// integers. A split without its `y` file is unlabelled (an autoencoder's training data).
public enum NPYDataset {
    /// "train" or "test", as the files are named.
    static func suffix(_ split: IDXDataset.Split) -> String { split == .train ? "train" : "test" }

    public static func samplesPath(_ directory: String, _ split: IDXDataset.Split) -> String { "\(directory)/x_\(suffix(split)).npy" }
    public static func labelsPath(_ directory: String, _ split: IDXDataset.Split) -> String { "\(directory)/y_\(suffix(split)).npy" }

    public static func load(directory: String, split: IDXDataset.Split, layout: DataLayout = .nchw) throws -> Dataset {
        let x = samplesPath(directory, split), y = labelsPath(directory, split)
        guard FileManager.default.fileExists(atPath: x) else { throw DataError("\(directory): missing x_\(suffix(split)).npy") }
        let labels = FileManager.default.fileExists(atPath: y) ? try NPYFile(contentsOf: URL(fileURLWithPath: y)) : nil
        return try assemble(samples: try NPYFile(contentsOf: URL(fileURLWithPath: x)), from: x, labels: labels, from: y,
                            name: "\(URL(fileURLWithPath: directory).lastPathComponent)/\(suffix(split))", layout: layout)
    }

    /// A dataset from files already read; errors name the files.
    public static func assemble(samples file: NPYFile, from samplesPath: String, labels labelFile: NPYFile?, from labelsPath: String,
                                name: String, layout: DataLayout = .nchw) throws -> Dataset {
        guard let n = file.shape.first else { throw DataError("\(samplesPath): a scalar, not an array of samples") }
        guard n > 0 else { throw DataError("\(samplesPath): holds no samples") }
        var values: Dataset.Values
        do { values = try file.samples() } catch { throw DataError("\(samplesPath): \(error)") }
        var labels = [Int32](repeating: 0, count: n)
        if let labelFile {
            guard labelFile.shape.count == 1 else {
                throw DataError("\(labelsPath): labels must be one-dimensional, got shape \(labelFile.shape)")
            }
            guard labelFile.shape[0] == n else {
                throw DataError("\(labelsPath): \(labelFile.shape[0]) labels for \(n) samples in \(URL(fileURLWithPath: samplesPath).lastPathComponent)")
            }
            do { labels = try labelFile.labels() } catch { throw DataError("\(labelsPath): \(error)") }
        }
        let axes = Array(file.shape.dropFirst())
        var norm = Normalization()
        switch values {
        case .bytes(let b): values = .bytes(layout.channelsFirst(b, count: n, axes: axes))
        case .floats(let f):
            if let bad = f.firstIndex(where: { !$0.isFinite }) {
                throw DataError("\(samplesPath): sample \(bad / max(file.count / n, 1)) contains \(f[bad]) (NaN/Inf)")
            }
            values = .floats(layout.channelsFirst(f, count: n, axes: axes))
            norm.scale = 1 // float data is taken as already in real units
        }
        return Dataset(name: name, sampleShape: layout.sampleShape(fileDimensions: file.shape), values: values, labels: labels,
                       classes: labelFile == nil ? 0 : Int(labels.max() ?? 0) + 1, normalization: norm,
                       isLabelled: labelFile != nil)
    }
}
