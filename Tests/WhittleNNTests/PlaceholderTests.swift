import XCTest
final class WhittleNNTestsPlaceholder: XCTestCase { func testBuilds() {} }
