import XCTest
final class WhittleTensorTestsPlaceholder: XCTestCase { func testBuilds() {} }
