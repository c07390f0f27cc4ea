import XCTest
final class WhittleVerifyTestsPlaceholder: XCTestCase { func testBuilds() {} }
