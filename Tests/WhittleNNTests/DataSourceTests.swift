import Foundation
import XCTest
import WhittleNN

/// Which reader a folder gets, the exact shape rule between data and spec, IDX of any rank,
/// and the label checks, through `DataSource.load` as every command reaches it.
final class DataSourceTests: XCTestCase {
    private func spec(_ input: [Int], _ layers: String, data: String = "{}", train: String = "{}") throws -> Spec {
        try Fixtures.spec(#"{"name": "m", "input": \#(input), "layers": [\#(layers)], "data": \#(data), "train": \#(train)}"#)
    }

    private func npyFolder(x: Data, y: [Int64]?, split: String = "train") throws -> URL {
        let dir = Fixtures.temporaryFolder()
        try x.write(to: dir.appendingPathComponent("x_\(split).npy"))
        if let y { try NPYFile.encode(labels: y).write(to: dir.appendingPathComponent("y_\(split).npy")) }
        return dir
    }

    func testFolderKindIsChosenByItsFiles() throws {
        let npy = try npyFolder(x: NPYFile.encode(bytes: [1, 2], shape: [2, 1]), y: nil)
        XCTAssertEqual(DataSource.folder(npy.path), .npy(directory: npy.path))
        XCTAssertEqual(DataSource.folder("/nowhere"), .idx(directory: "/nowhere"))
        let s = try spec([1], #"{"type": "linear", "out_features": 2}"#, data: #"{"dir": "\#(npy.path)"}"#)
        XCTAssertEqual(DataSource.resolve(s, override: nil), .npy(directory: npy.path))
    }

    func testSampleShapeMustMatchTheSpecExactly() throws {
        XCTAssertEqual(try SampleShape.view([1, 28, 28], as: [784], data: "d"), [784])
        XCTAssertEqual(try SampleShape.view([1, 49, 10], as: [49, 10], data: "d"), [49, 10])
        XCTAssertEqual(try SampleShape.view([3, 8, 8], as: [3, 8, 8], data: "d"), [3, 8, 8])
        XCTAssertThrowsError(try SampleShape.view([1, 28, 28], as: [4, 14, 14], data: "fashion/train")) {
            XCTAssertEqual("\($0)", "fashion/train: samples are [1, 28, 28], but the spec's input is [4, 14, 14]")
        }
        XCTAssertThrowsError(try SampleShape.view([8, 8, 3], as: [3, 8, 8], data: "d")) {
            XCTAssertEqual("\($0)", #"d: samples are [8, 8, 3], but the spec's input is [3, 8, 8] (for channels-last files set data.layout to "nhwc")"#)
        }
        XCTAssertThrowsError(try SampleShape.view([784], as: [1, 28, 28], data: "d")) // flat data is not an image
    }

    func testShapeMismatchWithTheSpecThroughTheLoader() throws {
        let dir = try npyFolder(x: NPYFile.encode(bytes: [UInt8](repeating: 0, count: 2 * 192), shape: [2, 8, 8, 3]), y: [0, 1])
        let conv = #"{"type": "conv2d", "out_channels": 2, "kernel": 3}, {"type": "flatten"}, {"type": "linear", "out_features": 3}"#
        let s = try spec([3, 8, 8], conv)
        XCTAssertThrowsError(try DataSource.npy(directory: dir.path).load(.train, spec: s)) {
            XCTAssertTrue("\($0)".hasPrefix("\(dir.lastPathComponent)/train: samples are [8, 8, 3], but the spec's input is [3, 8, 8]"), "\($0)")
        }
        let nhwc = try spec([3, 8, 8], conv, data: #"{"layout": "nhwc"}"#)
        XCTAssertEqual(try DataSource.npy(directory: dir.path).load(.train, spec: nhwc).sampleShape, [3, 8, 8])
    }

    func testLabelsOutOfRangeAndMissingLabels() throws {
        let dir = try npyFolder(x: NPYFile.encode(bytes: [1, 2, 3, 4], shape: [4, 1]), y: [0, 1, 5, 1])
        let s = try spec([1], #"{"type": "linear", "out_features": 3}"#)
        XCTAssertThrowsError(try DataSource.npy(directory: dir.path).load(.train, spec: s)) {
            XCTAssertEqual("\($0)", "\(dir.path)/y_train.npy: sample 2 has label 5, but the model has 3 outputs (labels 0…2)")
        }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("y_train.npy"))
        XCTAssertThrowsError(try DataSource.npy(directory: dir.path).load(.train, spec: s)) {
            XCTAssertEqual("\($0)", #"\#(dir.path)/y_train.npy: missing, but train.target "labels" needs labels"#)
        }
    }

    func testIDXOfAnyRank() throws {
        let dir = Fixtures.temporaryFolder()
        func write(_ images: [UInt8], _ dims: [Int]) throws {
            try IDXFile.encode(bytes: images, dimensions: dims).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
            try IDXFile.encode(bytes: [UInt8](repeating: 0, count: dims[0]), dimensions: [dims[0]])
                .write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        }
        try write([1, 2, 3, 4, 5, 6], [2, 3])
        XCTAssertEqual(try IDXDataset.load(directory: dir.path, split: .train).sampleShape, [3])
        try write(Array(0..<12), [1, 2, 2, 3])
        let nhwc = try IDXDataset.load(directory: dir.path, split: .train, layout: .nhwc)
        XCTAssertEqual(nhwc.sampleShape, [3, 2, 2])
        guard case .bytes(let b) = nhwc.values else { return XCTFail() }
        XCTAssertEqual(b, [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
        try write(Array(0..<32), [1, 2, 2, 2, 4])
        XCTAssertEqual(try IDXDataset.load(directory: dir.path, split: .train).sampleShape, [2, 2, 2, 4])
        XCTAssertEqual(try IDXDataset.load(directory: dir.path, split: .train, layout: .nhwc).sampleShape, [4, 2, 2, 2])
    }

    /// Before issue 14 only element counts were compared, and a [4, 14, 14] model trained on Fashion-MNIST.
    func testFashionShapedDataNoLongerFitsAnotherShape() throws {
        let dir = Fixtures.temporaryFolder()
        try IDXFile.encode(bytes: [UInt8](repeating: 0, count: 2 * 784), dimensions: [2, 28, 28])
            .write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try IDXFile.encode(bytes: [0, 1], dimensions: [2]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let s = try spec([4, 14, 14], #"{"type": "flatten"}, {"type": "linear", "out_features": 10}"#)
        XCTAssertThrowsError(try DataSource.folder(dir.path).load(.test, spec: s)) {
            XCTAssertEqual("\($0)", "\(dir.lastPathComponent)/test: samples are [1, 28, 28], but the spec's input is [4, 14, 14]")
        }
        let digits = try spec([784], #"{"type": "linear", "out_features": 10}"#, data: #"{"synthetic": {"train": 20, "test": 10}}"#)
        let flat = try DataSource.resolve(digits, override: nil).load(.test, spec: digits)
        XCTAssertEqual(flat.sampleShape, [784]) // an MLP's [784] still views the synthetic digits
        XCTAssertEqual(flat.values.isBytes, true)
    }
}
