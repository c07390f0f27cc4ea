import Foundation

/// Reads MNIST-layout folders: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz`.
public enum IDXDataset {
    public enum Split: String { case train, test = "t10k" }

    public static func load(directory: String, split: Split, layout: DataLayout = .nchw,
                            normalization: Normalization = Normalization()) throws -> Dataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw DataError("\(directory): data folder not found (Fashion-MNIST: apt-get install dataset-fashion-mnist)")
        }
        let imagesURL = try locate(directory, "\(split.rawValue)-images-idx3-ubyte")
        let labelsURL = try locate(directory, "\(split.rawValue)-labels-idx1-ubyte")
        return try assemble(images: try IDXFile(contentsOf: imagesURL), from: imagesURL.path,
                            labels: try IDXFile(contentsOf: labelsURL), from: labelsURL.path,
                            name: "\(URL(fileURLWithPath: directory).lastPathComponent)/\(split)", layout: layout,
                            normalization: normalization)
    }

    /// A dataset from an images file and a labels file already read; errors name the files.
    /// The images may have any number of dimensions ([N, F], [N, H, W], [N, C, H, W] or, with
    /// `layout` nhwc, [N, H, W, C]; see `DataLayout.sampleShape`).
    public static func assemble(images: IDXFile, from imagesPath: String, labels labelFile: IDXFile, from labelsPath: String,
                                name: String, layout: DataLayout = .nchw, normalization: Normalization = Normalization()) throws -> Dataset {
        let imagesURL = URL(fileURLWithPath: imagesPath), labelsURL = URL(fileURLWithPath: labelsPath)
        let dims = images.dimensions, axes = Array(dims.dropFirst())
        let shape = layout.sampleShape(fileDimensions: dims)
        guard labelFile.dimensions.count == 1 else {
            throw DataError("\(labelsURL.path): labels must be one-dimensional, got \(labelFile.dimensions.count) dimensions")
        }
        guard labelFile.dimensions[0] == dims[0] else {
            throw DataError("\(labelsURL.path): \(labelFile.dimensions[0]) labels for \(dims[0]) images in \(imagesURL.lastPathComponent)")
        }
        let labels: [Int32]
        switch labelFile.elements {
        case .bytes(let b): labels = b.map(Int32.init)
        case .floats(let f):
            let largest = Float(Dataset.classLimit.maximum - 1)
            guard let bad = f.firstIndex(where: { !($0 >= 0 && $0 <= largest && $0 == $0.rounded()) }) else {
                labels = f.map { Int32($0) }
                break
            }
            throw DataError("\(labelsURL.path): label \(bad) is \(f[bad]), not a class index (0…\(Dataset.classLimit.maximum - 1))")
        }
        guard dims[0] > 0 else { throw DataError("\(imagesURL.path): holds no samples") }
        let values: Dataset.Values
        var norm = normalization
        switch images.elements {
        case .bytes(let b): values = .bytes(layout.channelsFirst(b, count: dims[0], axes: axes))
        case .floats(let f):
            if let bad = f.firstIndex(where: { !$0.isFinite }) {
                throw DataError("\(imagesURL.path): sample \(bad / max(shape.reduce(1, *), 1)) contains \(f[bad]) (NaN/Inf)")
            }
            values = .floats(layout.channelsFirst(f, count: dims[0], axes: axes))
            norm.scale = 1 // float data is taken as already in real units
        }
        let classes = Int(labels.max() ?? 0) + 1
        return Dataset(name: name, sampleShape: shape,
                       values: values, labels: labels, classes: classes, normalization: norm)
    }

    private static func locate(_ directory: String, _ base: String) throws -> URL {
        let dir = URL(fileURLWithPath: directory)
        for name in [base + ".gz", base] {
            let url = dir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError("\(directory): missing \(base)[.gz]")
    }
}
