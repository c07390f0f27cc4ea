import Foundation
import XCTest
import WhittleNN
import WhittleTensor

/// The `.npy` reader: the headers NumPy writes (1.0, 2.0, 3.0; either quote; Python 2 longs),
/// the dtypes datasets use, channels-last transposition, and one-line errors for the rest.
final class NPYTests: XCTestCase {
    /// A `.npy` file with a hand-written header (as another writer might lay it out).
    static func file(header: String, version: UInt8 = 1, body: [UInt8]) -> Data {
        let prefix = version == 1 ? 10 : 12
        let length = header.utf8.count
        var out = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        out += (0..<(prefix - 8)).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        return out + Data(header.utf8) + Data(body)
    }

    func testReadsTheHeadersNumPyWrites() throws {
        let body: [UInt8] = [1, 2, 3, 4, 5, 6]
        let headers: [(String, UInt8)] = [
            ("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }          \n", 1),
            ("{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<u1\"}\n", 2),
            ("{'descr':'|u1','fortran_order':False,'shape':(2,3)}\n", 3),
        ]
        for (header, version) in headers {
            let f = try NPYFile(fileBytes: Self.file(header: header, version: version, body: body))
            XCTAssertEqual(f.shape, [2, 3], header)
            guard case .bytes(let b) = try f.samples() else { return XCTFail(header) }
            XCTAssertEqual(b, body)
        }
        let scalarTuple = try NPYFile(fileBytes: NPYFile.encode(labels: [4]))
        XCTAssertEqual(scalarTuple.shape, [1]) // "(1,)"
    }

    func testFloatSamplesAndEveryLabelType() throws {
        let f = try NPYFile(fileBytes: NPYFile.encode(floats: [0.5, -1, 3], shape: [3]))
        guard case .floats(let v) = try f.samples() else { return XCTFail() }
        XCTAssertEqual(v, [0.5, -1, 3])
        for (descr, size) in [("|i1", 1), ("<i2", 2), ("<i4", 4), ("<i8", 8), ("|u1", 1)] {
            let body = [7, 0, 2].flatMap { v in (0..<size).map { $0 == 0 ? UInt8(v) : 0 } }
            let labels = try NPYFile(fileBytes: NPYFile.encode(descr: descr, shape: [3], body: Data(body))).labels()
            XCTAssertEqual(labels, [7, 0, 2], descr)
        }
    }

    func testChannelsLastIsTransposedAtLoad() throws {
        let dir = Fixtures.temporaryFolder()
        // Two 1×2 images with 3 channels, channels last: pixel p of channel c holds 100·n + 10·p + c.
        var hwc: [UInt8] = []
        for n in 0..<2 { for p in 0..<2 { for c in 0..<3 { hwc.append(UInt8(100 * n + 10 * p + c)) } } }
        try NPYFile.encode(bytes: hwc, shape: [2, 1, 2, 3]).write(to: dir.appendingPathComponent("x_train.npy"))
        try NPYFile.encode(labels: [1, 0]).write(to: dir.appendingPathComponent("y_train.npy"))
        let data = try NPYDataset.load(directory: dir.path, split: .train, layout: .nhwc)
        XCTAssertEqual(data.sampleShape, [3, 1, 2])
        guard case .bytes(let chw) = data.values else { return XCTFail() }
        XCTAssertEqual(chw, [0, 10, 1, 11, 2, 12, 100, 110, 101, 111, 102, 112])
        XCTAssertEqual(data.labels, [1, 0])
        XCTAssertEqual(try NPYDataset.load(directory: dir.path, split: .train).sampleShape, [1, 2, 3])
    }

    func testMissingLabelsMeanUnlabelled() throws {
        let dir = Fixtures.temporaryFolder()
        try NPYFile.encode(floats: [Float](repeating: 0.25, count: 8), shape: [2, 4]).write(to: dir.appendingPathComponent("x_test.npy"))
        let data = try NPYDataset.load(directory: dir.path, split: .test)
        XCTAssertFalse(data.isLabelled)
        XCTAssertEqual(data.count, 2)
        XCTAssertEqual(data.sampleShape, [4])
        XCTAssertEqual(data.normalization.scale, 1)
    }

    // MARK: bad files

    private func expectError(_ bytes: Data, as name: String = "x_train.npy", role: (NPYFile) throws -> Any = { try $0.samples() },
                             _ fragments: String..., line: UInt = #line) throws {
        let url = Fixtures.temporaryFolder().appendingPathComponent(name)
        try bytes.write(to: url)
        XCTAssertThrowsError(try { let f = try NPYFile(contentsOf: url); _ = try role(f) }(), line: line) { error in
            // The reader's own errors name the file; role errors are named by the dataset loader.
            let text = "\(error)"
            XCTAssertFalse(text.contains("\n"), "one line: \(text)", line: line)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' should contain '\(f)'", line: line) }
        }
    }

    func testBadFilesAreOneLineErrors() throws {
        let good = NPYFile.encode(bytes: [UInt8](repeating: 1, count: 12), shape: [3, 4])
        var magic = good; magic[1] = UInt8(ascii: "X")
        try expectError(magic, "x_train.npy: bad magic")
        try expectError(good.prefix(good.count - 5), "x_train.npy: truncated: shape [3, 4] of '|u1' needs 12 bytes of data, file holds 7")
        try expectError(good.prefix(30), "x_train.npy: truncated header")
        try expectError(good.prefix(5), "x_train.npy: too short")
        try expectError(good + Data([0]), "1 unexpected bytes")
        var version = good; version[6] = 4
        try expectError(version, "format version 4.0 is not supported")
        try expectError(NPYFile.encode(descr: "|u1", shape: [3, 4], body: Data(count: 12), fortranOrder: true),
                        "x_train.npy: fortran_order is True: only C order is supported")
        try expectError(Self.file(header: "{'descr': '|u1', 'shape': (1,)}\n", body: [0]), "header has no 'fortran_order'")
        try expectError(Self.file(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (1,\n", body: [0]), "header")
        try expectError(Self.file(header: String(repeating: "(", count: 200), body: []), "header is not a dictionary")
        try expectError(Self.file(header: "{'a': " + String(repeating: "(", count: 200), body: []), "nests deeper than 16")
        try expectError(Self.file(header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", body: [0, 0, 0, 0]),
                        "structured dtypes are not supported")
        try expectError(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", body: []),
                        "number too large")
        try expectError(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776)}", body: []),
                        "exceeds the limit of 268,435,456 elements in one .npy file")
    }

    func testUnsupportedDtypesNameFileAndDtype() throws {
        let dir = Fixtures.temporaryFolder()
        let x = dir.appendingPathComponent("x_train.npy")
        try NPYFile.encode(descr: "<f8", shape: [2, 2], body: Data(count: 32)).write(to: x)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(x.path): dtype '<f8' is not supported (uint8 or float32)")
        }
        try NPYFile.encode(descr: ">f4", shape: [2, 2], body: Data(count: 16)).write(to: x)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(x.path): dtype '>f4' is not supported (uint8 or float32)")
        }
        try NPYFile.encode(descr: "<U3", shape: [2], body: Data(count: 24)).write(to: x)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertTrue("\($0)".hasPrefix("\(x.path): dtype '<U3' is not supported"), "\($0)")
        }
        try NPYFile.encode(bytes: [1, 2, 3, 4], shape: [2, 2]).write(to: x)
        let y = dir.appendingPathComponent("y_train.npy")
        try NPYFile.encode(floats: [0, 1], shape: [2]).write(to: y)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(y.path): dtype '<f4' is not supported for labels (int8, int16, int32, int64 or uint8)")
        }
        try NPYFile.encode(labels: [0, -3]).write(to: y)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(y.path): sample 1 has label -3, not a class index (0…65535)")
        }
        try NPYFile.encode(labels: [0, 1, 2]).write(to: y)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(y.path): 3 labels for 2 samples in x_train.npy")
        }
        try NPYFile.encode(bytes: [0, 1], shape: [2, 1]).write(to: y)
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .train)) {
            XCTAssertEqual("\($0)", "\(y.path): labels must be one-dimensional, got shape [2, 1]")
        }
        XCTAssertThrowsError(try NPYDataset.load(directory: dir.path, split: .test)) {
            XCTAssertEqual("\($0)", "\(dir.path): missing x_test.npy")
        }
    }
}

/// A model trained from a folder of `.npy` files as NumPy users save them.
final class NPYTrainingTests: XCTestCase {
    /// uint8 NHWC 8×8×3 images in 3 classes (class k: channel k brighter), one epoch.
    func testTinyModelLearnsFromAnNHWCFolder() throws {
        let dir = Fixtures.temporaryFolder()
        var rng = RNG(seed: 5)
        for (split, count) in [("train", 600), ("test", 150)] {
            var pixels: [UInt8] = [], labels: [Int64] = []
            for _ in 0..<count {
                let k = rng.int(below: 3)
                labels.append(Int64(k))
                for _ in 0..<64 { for c in 0..<3 { pixels.append(UInt8(min(255, Int(rng.uniform(0, 150)) + (c == k ? 80 : 0)))) } }
            }
            try NPYFile.encode(bytes: pixels, shape: [count, 8, 8, 3]).write(to: dir.appendingPathComponent("x_\(split).npy"))
            try NPYFile.encode(labels: labels).write(to: dir.appendingPathComponent("y_\(split).npy"))
        }
        let spec = try Fixtures.spec("""
        {"name": "tiny", "input": [3, 8, 8], "layers": [
           {"type": "conv2d", "out_channels": 4, "kernel": 3}, {"type": "relu"},
           {"type": "global_avgpool"}, {"type": "flatten"}, {"type": "linear", "out_features": 3}],
         "data": {"layout": "nhwc"},
         "train": {"epochs": 1, "batch_size": 16, "optimizer": {"type": "adam", "lr": 0.02}}}
        """)
        let source = DataSource.resolve(spec, override: dir.path)
        XCTAssertEqual(source, .npy(directory: dir.path))
        let train = try source.load(.train, spec: spec), test = try source.load(.test, spec: spec)
        XCTAssertTrue(train.values.isBytes)
        let graph = try spec.buildGraph()
        _ = try Trainer(graph: graph, recipe: spec.train).fit(train: train, test: nil)
        XCTAssertGreaterThan(Evaluator.evaluate(graph, on: test).accuracy, 0.6, "3 classes: chance is 0.33")
    }
}
