import XCTest
import WhittleNN
import WhittleSupport

final class ROCAreaTests: XCTestCase {
    /// The doc comment's case, by hand: positives 0.35 and 0.8 against negatives 0.1 and 0.4
    /// win 3 of the 4 pairs.
    func testHandComputedCase() {
        XCTAssertEqual(ROCArea.of(scores: [0.1, 0.4, 0.35, 0.8], positive: [false, false, true, true]), 0.75)
    }

    /// Ties count one half: positives {0.5, 0.9}, negatives {0.5, 0.2, 0.2}: pairs won
    /// 0.5 > 0.2 twice, 0.5 = 0.5 half, 0.9 beats all three → (2 + 0.5 + 3) / 6.
    func testTiesCountHalf() {
        XCTAssertEqual(ROCArea.of(scores: [0.5, 0.5, 0.9, 0.2, 0.2], positive: [true, false, true, false, false])!, 5.5 / 6, accuracy: 1e-12)
    }

    func testPerfectReversedAndUndefined() {
        XCTAssertEqual(ROCArea.of(scores: [1, 2, 3, 4], positive: [false, false, true, true]), 1)
        XCTAssertEqual(ROCArea.of(scores: [1, 2, 3, 4], positive: [true, true, false, false]), 0)
        XCTAssertEqual(ROCArea.of(scores: [3, 3, 3, 3], positive: [true, false, true, false]), 0.5)
        XCTAssertNil(ROCArea.of(scores: [1, 2], positive: [true, true]))
    }
}
