import XCTest
import WhittleIR

/// Asserts that decoding `bytes` as `model.q` fails with one line naming the file and holding `words`.
func assertRejected(_ bytes: [UInt8], mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try QGraphFile.decode(bytes, name: "model.q"), file: file, line: line) { error in
        let message = String(describing: error)
        XCTAssertTrue(message.hasPrefix("model.q: "), message, file: file, line: line)
        XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
        for word in words { XCTAssertTrue(message.contains(word), message, file: file, line: line) }
    }
}
