import XCTest
final class WhittleCodegenTestsPlaceholder: XCTestCase { func testBuilds() {} }
