import Foundation
import XCTest
import WhittleNN

/// The float side's readers against the inputs that once crashed them (issue 11): each is now
/// an error that names the file or field, the value and the limit. The inputs are the files in
/// Tests/Fuzz/crashes, which the replay tests also run.
final class HostileInputTests: XCTestCase {
    private func saved(_ target: String, _ name: String) throws -> Data {
        try Data(contentsOf: ReaderReplayTests.fuzzFolder.appendingPathComponent("crashes/\(target)/\(name)"))
    }

    private func assertThrows(_ expression: @autoclosure () throws -> Any, _ fragments: String...,
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", file: file, line: line)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' should contain '\(f)'", file: file, line: line) }
        }
    }

    func testIDX() throws {
        assertThrows(try IDXFile(fileBytes: try saved("idx", "rank-overflow.idx")),
                     "4294967295×4294967295", "exceeds the limit of 268,435,456 elements in one IDX file")
        assertThrows(try IDXFile(fileBytes: try saved("idx", "gzip-bomb.idx.gz")), "inflates to more than the 12 bytes its header allows")
        assertThrows(try IDXFile(fileBytes: try saved("idx", "gzip-trailing.idx.gz")), "7 unexpected bytes after the gzip stream")
        let images = try IDXFile(data: IDXFile.encode(bytes: [UInt8](repeating: 0, count: 12), dimensions: [3, 2, 2]))
        assertThrows(try IDXDataset.assemble(images: images, from: "i", labels: try IDXFile(fileBytes: try saved("idx", "float-label-inf.idx")),
                                             from: "l", name: "x"), "l: label 1 is inf, not a class index (0…65535)")
        let two = try IDXFile(data: IDXFile.encode(bytes: [UInt8](repeating: 0, count: 8), dimensions: [2, 2, 2]))
        assertThrows(try IDXDataset.assemble(images: two, from: "i", labels: try IDXFile(fileBytes: try saved("idx", "float-label-3e9.idx")),
                                             from: "l", name: "x"), "label 0 is 3e+09, not a class index")
    }

    func testNPY() throws {
        let cases = [
            ("header-length-max.npy", "header length 4294967295 exceeds NumPy's limit of 10000 bytes"),
            ("shape-2-40.npy", "shape [1099511627776, 1099511627776]: 1099511627776×1099511627776 exceeds the limit of 268,435,456 elements in one .npy file"),
            ("nesting-5000.npy", "header nests deeper than 16 levels"),
            ("dim-overflow.npy", "header has a number too large"),
        ]
        for (name, words) in cases { assertThrows(try NPYFile(fileBytes: try saved("npy", name)), words) }
    }

    func testSafeTensors() throws {
        let cases = [
            ("header-length-max.safetensors", "header length 18446744073709551615 does not fit"),
            ("shape-2-40.safetensors", "tensor 'a': shape: 1099511627776×1099511627776 exceeds the limit of 268,435,456 elements in one tensor"),
            ("overlap.safetensors", "tensor 'b': data offsets [4, 12] overlap the tensor before it"),
            ("trailing.safetensors", "4 unexpected bytes after the last tensor's data"),
            ("metadata-not-string.safetensors", "__metadata__ must map strings to strings"),
        ]
        for (name, words) in cases { assertThrows(try SafeTensors(data: try saved("safetensors", name)), words) }
    }

    func testSpecSizesAreBounded() throws {
        let cases = [
            ("out-channels-1e9.json", "layer 'conv2d0' (conv2d): 'out_channels': 1,000,000,000 exceeds the limit of 1,048,576 for one dimension"),
            ("out-features-1e18.json", "'out_features': 1,000,000,000,000,000,000 exceeds the limit"),
            ("input-2-31.json", "input: [1, 2147483648, 2147483648]: 1×2147483648×2147483648 exceeds the limit of 16,777,216 elements"),
            ("padding-2-62.json", "'padding': 4,611,686,018,427,387,904 exceeds the limit"),
            ("synthetic-2-62.json", "data.synthetic: 4611686018427387904 samples exceed the limit of 1,048,576 synthetic samples"),
            ("pool-negative-padding.json", "'padding' must be 0 or more, got -1"),
            ("bn-momentum-negative.json", "'momentum' must be in [0, 1], got -1.0"),
            ("pool-kernel-1e9.json", "'kernel': 1,000,000,000 exceeds the limit"),
            ("pool-kernel-12-on-8.json", "layer 'maxpool2d1' (maxpool2d): window 12×12 does not fit a 8×8 input"),
        ]
        for (name, words) in cases {
            assertThrows(try Spec.parse(try saved("spec", name), file: name).buildGraph(), "\(name): ", words)
        }
    }

    /// A conv whose weights alone pass the per-dimension limit but not the per-layer one.
    func testLayerParameterLimit() throws {
        let spec = #"{"name": "x", "input": [1024, 8, 8], "layers": [{"type": "conv2d", "out_channels": 65536, "kernel": 3}]}"#
        assertThrows(try Spec.parse(Data(spec.utf8), file: "big.json").buildGraph(), "big.json: ", "weight [65536, 1024, 3, 3]",
                     "exceeds the limit of 67,108,864 parameters in one layer")
    }

    /// Every split's labels are checked against the model's outputs, not only the training split's.
    func testTestSplitLabelBeyondTheModelsClasses() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-labels-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (split, labels) in [("train", [UInt8]([0, 1, 2, 3])), ("t10k", [0, 1, 12, 3])] {
            try IDXFile.encode(bytes: [UInt8](repeating: 9, count: 4 * 16), dimensions: [4, 4, 4])
                .write(to: folder.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try IDXFile.encode(bytes: labels, dimensions: [4]).write(to: folder.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
        let spec = try Spec.parse(Data(#"{"name": "x", "input": [16], "layers": [{"type": "linear", "out_features": 10}]}"#.utf8), file: "x.json")
        let source = DataSource.idx(directory: folder.path)
        XCTAssertEqual(try source.load(.train, spec: spec).count, 4)
        assertThrows(try source.load(.test, spec: spec), "sample 2 has label 12, but the model has 10 outputs (labels 0…9)")
    }
}
