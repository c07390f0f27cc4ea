import XCTest
final class WhittleCLITestsPlaceholder: XCTestCase { func testBuilds() {} }
