import XCTest
import WhittleSupport

final class SizeLimitTests: XCTestCase {
    let limit = SizeLimit("elements", maximum: 1000)

    func testProductWithinTheLimit() throws {
        XCTAssertEqual(try limit.product([10, 10, 10], of: "shape"), 1000)
        XCTAssertEqual(try limit.product([], of: "scalar"), 1)
        XCTAssertEqual(try limit.product([0, Int.max], of: "empty"), 0)
    }

    func testCheckedProduct() {
        XCTAssertEqual(checkedProduct(3, 4, 5), 60)
        XCTAssertNil(checkedProduct(1 << 32, 1 << 32))
        XCTAssertNil(checkedProduct([2, -1]))
    }

    func testOverflowAndExcessAreErrorsNamingTheLimit() {
        for factors in [[10, 10, 11], [1 << 40, 1 << 40], [Int.max, 2], [-1, 5]] {
            XCTAssertThrowsError(try limit.product(factors, of: "shape")) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("shape: "), text)
                XCTAssertTrue(factors.contains { $0 < 0 } ? text.contains("negative") : text.contains("limit of 1,000 elements"), text)
            }
        }
        XCTAssertThrowsError(try limit.check(1001, of: "count")) { XCTAssertEqual("\($0)", "count: 1,001 exceeds the limit of 1,000 elements") }
    }
}
