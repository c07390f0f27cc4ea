import Foundation
import WhittleIR
import WhittleVerify
import XCTest

/// The edge-case table of templates/tests/fixed_point_cases.json through the C functions of
/// templates/kernels/whittle_fixedpoint.h (built with gcc, under UBSan, once as on a 64-bit
/// multiplier and once as on Cortex-M0): every row must equal the table and the Swift functions.
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
        var prepared = 0, zeroFolded = 0
        // Both roundings: the exact form on every row, the kernels' prepared form on the
        // multipliers whittle emits (0 with shift 0, or in [2^30, 2^31)) and accumulators the
        // range analysis admits (|x · 2^left| < 2^30).
        for (key, rounding, exact, preparedOp) in [("multiplyByQuantizedMultiplier", RequantizationRounding.double, "m", "p"),
                                                   ("multiplyByQuantizedMultiplierSingleRounding", .single, "n", "q")] {
            for r in rows(key) {
                let (x, m0, shift) = (r["x"]!, r["multiplier"]!, r["shift"]!)
                let swiftResult = FixedPoint.multiplyByQuantizedMultiplier(
                    Int32(x), QuantizedMultiplier(multiplier: Int32(m0), shift: Int32(shift)), rounding: rounding)
                input += "\(exact) \(x) \(m0) \(shift)\n"
                expected.append(r["expected"]!)
                swift.append(swiftResult)
                let left = max(shift, 0)
                if (m0 == 0 && shift == 0 || m0 >= 1 << 30), abs(x) << left < 1 << 30 {
                    input += "\(preparedOp) \(x) \(m0) \(shift)\n"
                    expected.append(r["expected"]!)
                    swift.append(swiftResult)
                    prepared += 1
                    // The output stage with the zero point folded in, where it applies.
                    if rounding == .double, (1...22).contains(-shift) {
                        for zero in [-128, -1, 0, 127] {
                            input += "z \(x) \(m0) \(shift) \(zero)\n"
                            expected.append(r["expected"]! + zero)
                            swift.append(swiftResult + Int32(zero))
                            zeroFolded += 1
                        }
                    }
                }
            }
        }
        // And seeded random cases over every shift, with the Swift function as the expectation:
        // small right shifts make rounding ties frequent, INT32 extremes test the 64-bit sums.
        var rng = SeededGenerator(seed: 7)
        for i in 0..<6000 {
            let rounding: RequantizationRounding = i % 2 == 0 ? .double : .single
            let shift = i / 2 % 62 - 31
            let m0 = i % 50 == 0 ? 0 : Int32.random(in: (1 << 30)...Int32.max, using: &rng)
            let limit = Int32((1 << 30) - 1) >> max(shift, 0)
            let x = i % 7 == 0 ? (Bool.random(using: &rng) ? limit : -limit) : Int32.random(in: -limit...limit, using: &rng)
            let multiplier = QuantizedMultiplier(multiplier: m0, shift: m0 == 0 ? 0 : Int32(shift))
            input += "\(rounding == .double ? "p" : "q") \(x) \(multiplier.multiplier) \(multiplier.shift)\n"
            let result = FixedPoint.multiplyByQuantizedMultiplier(x, multiplier, rounding: rounding)
            expected.append(Int(result))
            swift.append(result)
            prepared += 1
            if rounding == .double, (1...22).contains(-multiplier.shift) {
                let zero = Int32.random(in: -128...127, using: &rng)
                input += "z \(x) \(multiplier.multiplier) \(multiplier.shift) \(zero)\n"
                expected.append(Int(result + zero))
                swift.append(result + zero)
                zeroFolded += 1
            }
        }
        // Softmax's helpers and whole LiteRT rows (one output value a line).
        for r in rows("shiftedLeftWithSaturation") {
            input += "l \(r["x"]!) \(r["exponent"]!)\n"
            expected.append(r["expected"]!)
            swift.append(FixedPoint.shiftedLeftWithSaturation(Int32(r["x"]!), by: r["exponent"]!))
        }
        for (key, op, function) in [("expOnIntervalBetweenNegativeOneQuarterAnd0Excl", "e", FixedPoint.expOnIntervalBetweenNegativeOneQuarterAnd0Excl),
                                    ("expOnNegativeValuesQ5", "x", FixedPoint.expOnNegativeValuesQ5), ("oneOverOnePlusX", "o", FixedPoint.oneOverOnePlusX)] {
            for r in rows(key) {
                input += "\(op) \(r["a"]!)\n"
                expected.append(r["expected"]!)
                swift.append(function(Int32(r["a"]!)))
            }
        }
        for r in rows("reciprocal") {
            let result = FixedPoint.reciprocal(Int32(r["x"]!), integerBits: r["integerBits"]!)
            input += "r \(r["x"]!) \(r["integerBits"]!) 0\nr \(r["x"]!) \(r["integerBits"]!) 1\n"
            expected += [r["expected"]!, r["bitsOverUnit"]!]
            swift += [result.reciprocal, Int32(result.bitsOverUnit)]
        }
        for r in rows("multiplyByQuantizedMultiplierGreaterThanOne") {
            input += "g \(r["x"]!) \(r["multiplier"]!) \(r["leftShift"]!)\n"
            expected.append(r["expected"]!)
            swift.append(FixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(Int32(r["x"]!), Int32(r["multiplier"]!), leftShift: r["leftShift"]!))
        }
        var softmaxValues = 0
        for r in table["softmaxRows"] as! [[String: Any]] {
            let inputs = (r["inputs"] as! [Int]).map(Int8.init), outputs = r["expected"] as! [Int]
            let softmax = try XCTUnwrap(Softmax(beta: r["beta"] as! Double, inputScale: r["inputScale"] as! Double))
            let values = inputs.map(String.init).joined(separator: " ")
            for (i, (ours, theirs)) in zip(softmax.apply(inputs), outputs).enumerated() {
                input += "S \(i) \(inputs.count) \(softmax.inputMultiplier) \(softmax.inputLeftShift) \(softmax.diffMin) \(values)\n"
                expected.append(theirs)
                swift.append(Int32(ours))
                softmaxValues += 1
            }
        }
        XCTAssertGreaterThan(softmaxValues, 1000)
        XCTAssertGreaterThan(expected.count, 400)
        XCTAssertGreaterThan(prepared, 6000)
        XCTAssertGreaterThan(zeroFolded, 1000)

        let scratch = try makeScratchFolder("fixedpoint")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rowsFile = scratch.appendingPathComponent("rows.txt")
        try Data(input.utf8).write(to: rowsFile)
        // Twice: with the 64-bit product, and with the four 16-bit products Cortex-M0 uses.
        for (name, flags) in [("harness", [String]()), ("harness-split", ["-DWHITTLE_SPLIT_MULTIPLY=1"])] {
            let program = scratch.appendingPathComponent(name)
            let build = try ProcessRunner.run([hostTarget.compiler] + hostTarget.cflags + flags + [
                "-fsanitize=undefined", "-fno-sanitize-recover=all", "-I", repositoryRoot.appendingPathComponent("templates/kernels").path,
                "-o", program.path, repositoryRoot.appendingPathComponent("templates/tests/fixed_point_harness.c").path])
            XCTAssertEqual(build.status, 0, build.standardError)
            let run = try ProcessRunner.run(["sh", "-c", "\"$0\" < \"$1\"", program.path, rowsFile.path])
            XCTAssertEqual(run.status, 0, run.standardError)
            let c = run.standardOutput.split(separator: "\n").map { Int($0)! }
            XCTAssertEqual(c.count, expected.count)
            let lines = input.split(separator: "\n")
            for i in 0..<min(c.count, expected.count) {
                XCTAssertEqual(c[i], expected[i], "\(name), row '\(lines[i])'")
                XCTAssertEqual(c[i], Int(swift[i]), "\(name): C vs Swift, row '\(lines[i])'")
            }
        }
    }
}
