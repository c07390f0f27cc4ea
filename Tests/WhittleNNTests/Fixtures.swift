import Foundation
import WhittleNN

/// Shared test helpers: temporary folders and the real datasets' locations.
enum Fixtures {
    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"

    static var hasFashionMNIST: Bool {
        FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-images-idx3-ubyte.gz")
    }

    /// A fresh empty folder under the system temporary directory.
    static func temporaryFolder(_ label: String = #function) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("whittle-tests-\(label.filter(\.isLetter))-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func spec(_ json: String, file: String = "test.json") throws -> Spec {
        try Spec.parse(Data(json.utf8), file: file)
    }

    static let tinyConvSpec = """
    {"name": "tiny", "input": [1, 28, 28],
     "layers": [
       {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 5},
       {"name": "bn1", "type": "batchnorm2d"},
       {"type": "relu"},
       {"type": "maxpool2d", "kernel": 2},
       {"type": "flatten"},
       {"name": "fc", "type": "linear", "out_features": 10}
     ],
     "train": {"epochs": 1, "batch_size": 32, "seed": 3, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}}
    """
}
