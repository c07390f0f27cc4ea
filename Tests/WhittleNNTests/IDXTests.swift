import XCTest
import Foundation
import WhittleNN

final class IDXTests: XCTestCase {
    func testReadsRealFashionMNISTTestSet() throws {
        try XCTSkipUnless(Fixtures.hasFashionMNIST, "apt-get install dataset-fashion-mnist")
        let data = try IDXDataset.load(directory: Fixtures.fashionMNIST, split: .test)
        XCTAssertEqual(data.count, 10_000)
        XCTAssertEqual(data.sampleShape, [1, 28, 28])
        XCTAssertEqual(data.classes, 10)
        XCTAssertEqual(data.labels.prefix(5), [9, 2, 1, 1, 6]) // ankle boot, pullover, trouser, trouser, shirt
        for c in 0..<10 { XCTAssertEqual(data.labels.filter { $0 == c }.count, 1000) }
        let (x, _) = data.batch([0])
        XCTAssertEqual(x.storage.min()!, -1)   // (0/255 − 0.5)/0.5
        XCTAssertLessThanOrEqual(x.storage.max()!, 1)
    }

    func testReadsPlainAndGzippedIDX() throws {
        let dir = Fixtures.temporaryFolder()
        let images = (0..<(3 * 4 * 4)).map { UInt8($0) }
        try IDXFile.encode(bytes: images, dimensions: [3, 4, 4]).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
        try IDXFile.encode(bytes: [0, 1, 2], dimensions: [3]).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        let data = try IDXDataset.load(directory: dir.path, split: .train)
        XCTAssertEqual(data.sampleShape, [1, 4, 4])
        XCTAssertEqual(data.labels, [0, 1, 2])
        let gz = dir.appendingPathComponent("x.gz")
        try gzip(IDXFile.encode(bytes: images, dimensions: [3, 4, 4]), to: gz)
        let file = try IDXFile(contentsOf: gz)
        XCTAssertEqual(file.dimensions, [3, 4, 4])
        guard case .bytes(let b) = file.elements else { return XCTFail("expected bytes") }
        XCTAssertEqual(b, images)
    }

    func testRejectsCorruptFilesNamingThem() throws {
        let dir = Fixtures.temporaryFolder()
        func expectError(_ bytes: Data, _ fragment: String, line: UInt = #line) throws {
            let url = dir.appendingPathComponent("bad-\(line)")
            try bytes.write(to: url)
            XCTAssertThrowsError(try IDXFile(contentsOf: url), line: line) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains(url.path), "\(text) should name the file", line: line)
                XCTAssertTrue(text.contains(fragment), "\(text) should say '\(fragment)'", line: line)
            }
        }
        let good = IDXFile.encode(bytes: [UInt8](repeating: 7, count: 2 * 3 * 3), dimensions: [2, 3, 3])
        var wrongMagic = good; wrongMagic[0] = 0x12
        try expectError(wrongMagic, "magic")
        try expectError(good.prefix(good.count - 5), "truncated")
        try expectError(good.prefix(10), "truncated header")
        try expectError(good + Data([1, 2]), "unexpected bytes")
        var badType = good; badType[2] = 0x05
        try expectError(badType, "element type")
        let gz = dir.appendingPathComponent("full.gz")
        try gzip(good, to: gz)
        let compressed = try Data(contentsOf: gz)
        try expectError(compressed.prefix(compressed.count / 2), "truncated")
        XCTAssertThrowsError(try IDXFile(contentsOf: dir.appendingPathComponent("absent"))) {
            XCTAssertTrue(String(describing: $0).contains("not found"))
        }
    }

    func testRealFileCutShortIsRejected() throws {
        try XCTSkipUnless(Fixtures.hasFashionMNIST, "apt-get install dataset-fashion-mnist")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.fashionMNIST + "/t10k-labels-idx1-ubyte.gz"))
        let url = Fixtures.temporaryFolder().appendingPathComponent("t10k-labels-idx1-ubyte.gz")
        try whole.prefix(whole.count - 100).write(to: url)
        XCTAssertThrowsError(try IDXFile(contentsOf: url)) { XCTAssertTrue(String(describing: $0).contains("truncated")) }
    }

    func testFloatImagesWithNaNAreRejected() throws {
        let dir = Fixtures.temporaryFolder()
        var header: [UInt8] = [0, 0, 0x0D, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]
        for v: Float in [0, 1, 2, 3, 4, .nan, 6, 7] { header += withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }
        try Data(header).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try IDXFile.encode(bytes: [0, 1], dimensions: [2]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        XCTAssertThrowsError(try IDXDataset.load(directory: dir.path, split: .test)) {
            XCTAssertTrue(String(describing: $0).contains("sample 1 contains nan"), String(describing: $0))
        }
    }

    func testMismatchedLabelCountAndMissingFolder() throws {
        let dir = Fixtures.temporaryFolder()
        try IDXFile.encode(bytes: [UInt8](repeating: 0, count: 2 * 4), dimensions: [2, 2, 2]).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try IDXFile.encode(bytes: [0, 1, 2], dimensions: [3]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        XCTAssertThrowsError(try IDXDataset.load(directory: dir.path, split: .test)) {
            XCTAssertTrue(String(describing: $0).contains("3 labels for 2 images"))
        }
        XCTAssertThrowsError(try IDXDataset.load(directory: dir.path + "/nope", split: .test)) {
            XCTAssertTrue(String(describing: $0).contains("data folder not found"))
        }
        XCTAssertThrowsError(try IDXDataset.load(directory: dir.path, split: .train)) {
            XCTAssertTrue(String(describing: $0).contains("missing train-images-idx3-ubyte"))
        }
    }

    private func gzip(_ data: Data, to url: URL) throws {
        let plain = url.deletingPathExtension()
        try data.write(to: plain)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-f", plain.path]
        try p.run(); p.waitUntilExit()
        if plain.appendingPathExtension("gz") != url { try FileManager.default.moveItem(at: plain.appendingPathExtension("gz"), to: url) }
    }
}
