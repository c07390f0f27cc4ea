import Foundation
import WhittleIR
import XCTest

/// The edge-case table of templates/tests/fixed_point_cases.json, through the Swift functions.
/// (WhittleCodegenTests runs the same table through the C functions.)
final class FixedPointTests: XCTestCase {
    struct Table: Decodable {
        struct HighMultiply: Decodable { let a: Int32, b: Int32, expected: Int32 }
        struct Shift: Decodable { let x: Int32, exponent: Int, expected: Int32 }
        struct Multiply: Decodable { let x: Int32, multiplier: Int32, shift: Int32, expected: Int32 }
        struct Quantize: Decodable { let real: Double, multiplier: Int32, shift: Int32 }
        struct Unary: Decodable { let a: Int32, expected: Int32 }
        struct Reciprocal: Decodable { let x: Int32, integerBits: Int, expected: Int32, bitsOverUnit: Int }
        struct GreaterThanOne: Decodable { let x: Int32, multiplier: Int32, leftShift: Int, expected: Int32 }
        struct SoftmaxRow: Decodable { let note: String, beta: Double, inputScale: Double, inputs: [Int8], expected: [Int8] }
        let saturatingDoublingHighMultiply: [HighMultiply]
        let shiftedRightToNearestOrAway: [Shift]
        let multiplyByQuantizedMultiplier: [Multiply]
        let multiplyByQuantizedMultiplierSingleRounding: [Multiply]
        let quantizeMultiplier: [Quantize]
        let shiftedLeftWithSaturation: [Shift]
        let expOnIntervalBetweenNegativeOneQuarterAnd0Excl: [Unary]
        let expOnNegativeValuesQ5: [Unary]
        let oneOverOnePlusX: [Unary]
        let reciprocal: [Reciprocal]
        let multiplyByQuantizedMultiplierGreaterThanOne: [GreaterThanOne]
        /// Whole rows through LiteRT 2.3's reference SOFTMAX (see templates/tests/softmax_cases.py).
        let softmaxRows: [SoftmaxRow]
    }

    static func table() throws -> Table {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates/tests/fixed_point_cases.json")
        return try JSONDecoder().decode(Table.self, from: Data(contentsOf: url))
    }

    func testTableCoversTheRequiredEdges() throws {
        let t = try Self.table()
        XCTAssertEqual(Set(t.shiftedRightToNearestOrAway.map(\.exponent)), Set(0...31))
        let inputs = t.saturatingDoublingHighMultiply.flatMap { [$0.a, $0.b] } + t.shiftedRightToNearestOrAway.map(\.x)
        XCTAssertTrue(inputs.contains(.min) && inputs.contains(.max))
        XCTAssertTrue(t.shiftedRightToNearestOrAway.contains { $0.x < 0 && $0.exponent > 0 && $0.x % (1 << ($0.exponent - 1)) == 0 },
                      "a negative tie")
        XCTAssertTrue(t.multiplyByQuantizedMultiplier.contains { $0.multiplier == 0 }, "a zero multiplier")
    }

    func testDoublingHighMultiplyMatchesTable() throws {
        for row in try Self.table().saturatingDoublingHighMultiply {
            XCTAssertEqual(FixedPoint.saturatingDoublingHighMultiply(row.a, row.b, rounding: .toNearestOrUp), row.expected,
                           "SRDHM(\(row.a), \(row.b))")
        }
    }

    func testShiftRightMatchesTable() throws {
        for row in try Self.table().shiftedRightToNearestOrAway {
            XCTAssertEqual(FixedPoint.shiftedRight(row.x, by: row.exponent, rounding: .toNearestOrAway), row.expected,
                           "RDBPOT(\(row.x), \(row.exponent))")
        }
    }

    func testMultiplyByQuantizedMultiplierMatchesTable() throws {
        for row in try Self.table().multiplyByQuantizedMultiplier {
            let m = QuantizedMultiplier(multiplier: row.multiplier, shift: row.shift)
            XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(row.x, m), row.expected,
                           "MBQM(\(row.x), \(row.multiplier), \(row.shift))")
        }
    }

    func testSingleRoundingMatchesTable() throws {
        let rows = try Self.table().multiplyByQuantizedMultiplierSingleRounding
        XCTAssertGreaterThan(rows.count, 50)
        for row in rows {
            let m = QuantizedMultiplier(multiplier: row.multiplier, shift: row.shift)
            XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(row.x, m, rounding: .single), row.expected,
                           "single MBQM(\(row.x), \(row.multiplier), \(row.shift))")
        }
    }

    /// The two roundings part on the doc-comment example, and a tie goes up under single rounding.
    func testSingleAndDoubleRoundingDiffer() {
        let m = QuantizedMultiplier(multiplier: 1_077_952_576, shift: -7)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(127, m, rounding: .double), 1)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(127, m, rounding: .single), 0)
        let half = QuantizedMultiplier(multiplier: 1 << 30, shift: -7)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(-128, half, rounding: .single), 0)
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(-128, half, rounding: .double), -1)
    }

    func testQuantizeMultiplierMatchesTable() throws {
        for row in try Self.table().quantizeMultiplier {
            XCTAssertEqual(QuantizedMultiplier(real: row.real), QuantizedMultiplier(multiplier: row.multiplier, shift: row.shift),
                           "QuantizeMultiplier(\(row.real))")
        }
    }

    func testSoftmaxHelpersMatchTable() throws {
        let t = try Self.table()
        for row in t.shiftedLeftWithSaturation {
            XCTAssertEqual(FixedPoint.shiftedLeftWithSaturation(row.x, by: row.exponent), row.expected, "\(row.x) << \(row.exponent)")
        }
        for row in t.expOnIntervalBetweenNegativeOneQuarterAnd0Excl {
            XCTAssertEqual(FixedPoint.expOnIntervalBetweenNegativeOneQuarterAnd0Excl(row.a), row.expected, "exp on [-1/4, 0) of \(row.a)")
        }
        for row in t.expOnNegativeValuesQ5 {
            XCTAssertEqual(FixedPoint.expOnNegativeValuesQ5(row.a), row.expected, "exp of Q5.26 \(row.a)")
        }
        for row in t.oneOverOnePlusX {
            XCTAssertEqual(FixedPoint.oneOverOnePlusX(row.a), row.expected, "1 / (1 + \(row.a))")
        }
        for row in t.reciprocal {
            let r = FixedPoint.reciprocal(row.x, integerBits: row.integerBits)
            XCTAssertEqual(r.reciprocal, row.expected, "reciprocal of \(row.x)")
            XCTAssertEqual(r.bitsOverUnit, row.bitsOverUnit, "bits over unit of \(row.x)")
        }
        for row in t.multiplyByQuantizedMultiplierGreaterThanOne {
            XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplierGreaterThanOne(row.x, row.multiplier, leftShift: row.leftShift), row.expected,
                           "\(row.x) · 2^\(row.leftShift) · \(row.multiplier)")
        }
    }

    /// LiteRT's own outputs: all-equal rows, a dominant input, the full int8 range, differences at
    /// diff_min and one below, the multiplier's cap and its floor, exp's quarter boundaries.
    func testSoftmaxRowsMatchLiteRT() throws {
        let rows = try Self.table().softmaxRows
        XCTAssertGreaterThan(rows.count, 25)
        for row in rows {
            let softmax = try XCTUnwrap(Softmax(beta: row.beta, inputScale: row.inputScale), row.note)
            XCTAssertEqual(softmax.apply(row.inputs), row.expected, "\(row.note): \(row.inputs.prefix(12))")
        }
        // The edges the table is meant to hold.
        let notes = Set(rows.map(\.note))
        for edge in ["all equal over 511 channels (256/C - 128)", "differences at diff_min (-7) and diff_min - 1", "the full int8 range in one row"] {
            XCTAssertTrue(notes.contains(edge), edge)
        }
        let edge = try XCTUnwrap(rows.first { $0.note.hasPrefix("differences at diff_min") })
        XCTAssertEqual(Softmax(beta: edge.beta, inputScale: edge.inputScale)?.diffMin, -7)
        XCTAssertEqual(edge.inputs.prefix(3).map { Int($0) - Int(edge.inputs[0]) }, [0, -7, -8])
    }

    /// The doc-comment example: M = 1/255 and x = 127 give 1 under double rounding, where a single
    /// rounding of 127/255 = 0.498 would give 0.
    func testOneOver255Example() {
        let m = QuantizedMultiplier(real: 1.0 / 255)
        XCTAssertEqual(m, QuantizedMultiplier(multiplier: 1_077_952_576, shift: -7))
        XCTAssertEqual(FixedPoint.multiplyByQuantizedMultiplier(127, m), 1)
        XCTAssertEqual((127.0 / 255).rounded(), 0)
    }

    /// The other rounding of each function, from the truth table in `RoundingRule`'s docs.
    func testAlternativeRoundings() {
        let half: Int32 = 1 << 30
        XCTAssertEqual(FixedPoint.saturatingDoublingHighMultiply(-5, half, rounding: .toNearestOrUp), -2)
        XCTAssertEqual(FixedPoint.saturatingDoublingHighMultiply(-5, half, rounding: .toNearestOrAway), -3)
        XCTAssertEqual(FixedPoint.saturatingDoublingHighMultiply(5, half, rounding: .toNearestOrAway), 3)
        XCTAssertEqual(FixedPoint.shiftedRight(-5, by: 1, rounding: .toNearestOrUp), -2)
        XCTAssertEqual(FixedPoint.shiftedRight(-5, by: 1, rounding: .toNearestOrAway), -3)
        XCTAssertEqual(FixedPoint.shiftedRight(-6, by: 2, rounding: .toNearestOrUp), -1)
        XCTAssertEqual(FixedPoint.shiftedRight(Int32.min, by: 31, rounding: .toNearestOrUp), -1)
    }

    /// Every multiplier represents its real value to within Q31 precision.
    func testQuantizedMultiplierApproximatesItsRealValue() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<1000 {
            let real = rng.logUniform(1e-9...1e3)
            let m = QuantizedMultiplier(real: real)
            XCTAssertTrue((1 << 30)..<(Int64(1) << 31) ~= Int64(m.multiplier), "\(real)")
            XCTAssertEqual(m.realValue, real, accuracy: real * 1e-9)
        }
    }
}
