import Foundation

extension ReaderSamples {
    /// Valid `.npy` files of each kind a dataset folder holds (the `npy` fuzz target's seeds).
    public static func npyFiles() -> [File] {
        let bytes = NPYFile.encode(bytes: (0..<96).map { UInt8($0 * 2) }, shape: [2, 4, 4, 3])
        let floats = NPYFile.encode(floats: (0..<12).map { Float($0) / 4 }, shape: [3, 4])
        var version2 = NPYFile.encode(descr: "<i4", shape: [3], body: Data([0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0]), version: 2)
        version2[6] = 3 // the same header as UTF-8 (version 3.0)
        return [("x-nhwc.npy", bytes), ("x-float.npy", floats), ("y-int64.npy", NPYFile.encode(labels: [0, 2, 1])),
                ("y-int32-v3.npy", version2), ("y-uint8.npy", NPYFile.encode(bytes: [1, 0, 2], shape: [3]))]
    }

    /// Reads `bytes` as a `.npy` file, then as a dataset's samples (both layouts) and as its labels.
    public static func readNPY(_ bytes: Data) {
        guard let file = try? NPYFile(fileBytes: bytes), let count = file.shape.first, count <= 1 << 16 else { return }
        let labels = try? NPYFile(fileBytes: NPYFile.encode(labels: [Int64](repeating: 1, count: count)))
        for layout in [DataLayout.nchw, .nhwc] {
            _ = try? NPYDataset.assemble(samples: file, from: "x", labels: labels, from: "y", name: "fuzz", layout: layout)
        }
        if let samples = try? NPYFile(fileBytes: NPYFile.encode(bytes: [UInt8](repeating: 7, count: count * 4), shape: [count, 2, 2])) {
            _ = try? NPYDataset.assemble(samples: samples, from: "x", labels: file, from: "y", name: "fuzz")
        }
    }
}
