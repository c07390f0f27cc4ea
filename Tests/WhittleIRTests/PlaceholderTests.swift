import XCTest
final class WhittleIRTestsPlaceholder: XCTestCase { func testBuilds() {} }
