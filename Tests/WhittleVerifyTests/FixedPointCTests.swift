import Foundation
import WhittleIR
import WhittleVerify
import XCTest

/// The edge-case table of templates/tests/fixed_point_cases.json through the C functions of
/// templates/kernels/whittle_fixedpoint.h (built with gcc, under UBSan): every row must equal
/// the table and the Swift functions.
final class FixedPointCTests: XCTestCase {
    func testCFunctionsMatchTableAndSwift() throws {
        let table = try JSONSerialization.jsonObject(with: Data(contentsOf: repositoryRoot
            .appendingPathComponent("templates/tests/fixed_point_cases.json"))) as! [String: Any]
        func rows(_ key: String) -> [[String: Int]] { (table[key] as! [[String: Any]]).map { $0.compactMapValues { $0 as? Int } } }
        var input = "", expected: [Int] = [], swift: [Int32] = []
        for r in rows("saturatingDoublingHighMultiply") {
            input += "h \(r["a"]!) \(r["b"]!)\n"
            expected.append(r["expected"]!)
            swift.append(FixedPoint.saturatingDoublingHighMultiply(Int32(r["a"]!), Int32(r["b"]!), rounding: .toNearestOrUp))
        }
        for r in rows("shiftedRightToNearestOrAway") {
            input += "s \(r["x"]!) \(r["exponent"]!)\n"
            expected.append(r["expected"]!)
            swift.append(FixedPoint.shiftedRight(Int32(r["x"]!), by: r["exponent"]!, rounding: .toNearestOrAway))
        }
        for r in rows("multiplyByQuantizedMultiplier") {
            input += "m \(r["x"]!) \(r["multiplier"]!) \(r["shift"]!)\n"
            expected.append(r["expected"]!)
            swift.append(FixedPoint.multiplyByQuantizedMultiplier(
                Int32(r["x"]!), QuantizedMultiplier(multiplier: Int32(r["multiplier"]!), shift: Int32(r["shift"]!))))
        }
        XCTAssertGreaterThan(expected.count, 400)

        let scratch = try makeScratchFolder("fixedpoint")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let program = scratch.appendingPathComponent("harness"), rowsFile = scratch.appendingPathComponent("rows.txt")
        try Data(input.utf8).write(to: rowsFile)
        let build = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags + [
            "-fsanitize=undefined", "-fno-sanitize-recover=all", "-I", repositoryRoot.appendingPathComponent("templates/kernels").path,
            "-o", program.path, repositoryRoot.appendingPathComponent("templates/tests/fixed_point_harness.c").path])
        XCTAssertEqual(build.status, 0, build.standardError)
        let run = try ProcessRunner.run(["sh", "-c", "\"$0\" < \"$1\"", program.path, rowsFile.path])
        XCTAssertEqual(run.status, 0, run.standardError)
        let c = run.standardOutput.split(separator: "\n").map { Int($0)! }
        XCTAssertEqual(c.count, expected.count)
        let lines = input.split(separator: "\n")
        for i in 0..<min(c.count, expected.count) {
            XCTAssertEqual(c[i], expected[i], "C, row '\(lines[i])'")
            XCTAssertEqual(c[i], Int(swift[i]), "C vs Swift, row '\(lines[i])'")
        }
    }
}
