import XCTest
final class WhittleCompressTestsPlaceholder: XCTestCase { func testBuilds() {} }
