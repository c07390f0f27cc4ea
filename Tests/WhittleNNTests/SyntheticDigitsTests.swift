import XCTest
import WhittleNN

final class SyntheticDigitsTests: XCTestCase {
    func testSameSeedSameSamplesAndPrefixStable() {
        let a = SyntheticDigits.generate(count: 200, seed: 5)
        let b = SyntheticDigits.generate(count: 50, seed: 5)
        let c = SyntheticDigits.generate(count: 50, seed: 6)
        guard case .bytes(let pa) = a.values, case .bytes(let pb) = b.values, case .bytes(let pc) = c.values else { return XCTFail() }
        XCTAssertEqual(Array(pa.prefix(pb.count)), pb)
        XCTAssertEqual(Array(a.labels.prefix(50)), b.labels)
        XCTAssertNotEqual(pb, pc)
    }

    func testAllClassesPresentWithInk() {
        let d = SyntheticDigits.generate(count: 1000, seed: 1)
        XCTAssertEqual(d.sampleShape, [1, 28, 28])
        for k in 0..<10 { XCTAssertGreaterThan(d.labels.filter { $0 == k }.count, 60) }
        guard case .bytes(let p) = d.values else { return XCTFail() }
        for i in 0..<20 {
            let ink = p[(i * 784)..<((i + 1) * 784)].filter { $0 > 128 }.count
            XCTAssertGreaterThan(ink, 20, "sample \(i) is nearly blank")
            XCTAssertLessThan(ink, 400, "sample \(i) is nearly full")
        }
    }
}
