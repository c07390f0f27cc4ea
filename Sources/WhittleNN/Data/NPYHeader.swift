/// The header dictionary of a `.npy` file, a Python literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }`.
/// NumPy writes it with `repr`, so the parser takes what `repr` can give for these three keys:
/// strings in either quote, True/False/None, integers (Python 2 wrote `28L`), tuples and lists.
/// Other keys are ignored; nesting is bounded so a hostile header cannot exhaust the stack.
struct NPYHeader {
    /// The dtype string, e.g. "<f4" or "|u1"; nil for a structured dtype (a list).
    let descr: String?
    let fortranOrder: Bool
    let shape: [Int]

    indirect enum Value {
        case string(String), bool(Bool), none, int(Int), sequence([Value])
    }

    init(_ text: String) throws {
        var parser = Parser(chars: Array(text.unicodeScalars))
        guard case .sequence(let pairs)? = try parser.dictionary() else { throw DataError("header is not a dictionary") }
        var fields: [String: Value] = [:]
        for case .sequence(let kv) in pairs { if case .string(let key) = kv[0] { fields[key] = kv[1] } }
        func field(_ key: String) throws -> Value {
            guard let v = fields[key] else { throw DataError("header has no '\(key)'") }
            return v
        }
        switch try field("descr") {
        case .string(let s): descr = s
        case .sequence: descr = nil
        default: throw DataError("header 'descr' is not a dtype string")
        }
        guard case .bool(let fortran) = try field("fortran_order") else { throw DataError("header 'fortran_order' is not True or False") }
        fortranOrder = fortran
        guard case .sequence(let dims) = try field("shape") else { throw DataError("header 'shape' is not a tuple") }
        shape = try dims.map {
            guard case .int(let d) = $0, d >= 0 else { throw DataError("header 'shape' holds a value that is not a size") }
            return d
        }
    }

    /// A recursive-descent reader of the Python literal subset above.
    struct Parser {
        let chars: [Unicode.Scalar]
        var at = 0
        var depth = 0
        static let maxDepth = 16

        init(chars: [Unicode.Scalar]) { self.chars = chars }

        /// The top-level `{…}` as a sequence of (key, value) pairs; nil when the text is not a dict.
        mutating func dictionary() throws -> Value? {
            skipSpace()
            guard peek == "{" else { return nil }
            let v = try value()
            skipSpace()
            guard at == chars.count else { throw DataError("header has text after its dictionary") }
            return v
        }

        var peek: Unicode.Scalar? { at < chars.count ? chars[at] : nil }

        mutating func skipSpace() { while let c = peek, c.properties.isWhitespace { at += 1 } }

        mutating func value() throws -> Value {
            skipSpace()
            guard let c = peek else { throw DataError("header ends inside its dictionary") }
            switch c {
            case "{": return try items(close: "}", pairs: true)
            case "(": return try items(close: ")", pairs: false)
            case "[": return try items(close: "]", pairs: false)
            case "'", "\"": return .string(try string())
            case "-", "+", "0"..."9": return .int(try integer())
            default:
                for (word, v) in [("True", Value.bool(true)), ("False", .bool(false)), ("None", .none)]
                where chars[at...].starts(with: word.unicodeScalars) {
                    at += word.unicodeScalars.count
                    return v
                }
                throw DataError("header has unexpected '\(c)' at character \(at)")
            }
        }

        /// Comma-separated values (or key: value pairs) up to `close`; a trailing comma is allowed.
        mutating func items(close: Unicode.Scalar, pairs: Bool) throws -> Value {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw DataError("header nests deeper than \(Self.maxDepth) levels") }
            at += 1
            var out: [Value] = []
            while true {
                skipSpace()
                if peek == close { at += 1; return .sequence(out) }
                var item = try value()
                if pairs {
                    skipSpace()
                    guard peek == ":" else { throw DataError("header dictionary is missing a ':' at character \(at)") }
                    at += 1
                    item = .sequence([item, try value()])
                }
                out.append(item)
                skipSpace()
                if peek == "," { at += 1 } else if peek != close {
                    throw DataError("header is missing a ',' or '\(close)' at character \(at)")
                }
            }
        }

        mutating func string() throws -> String {
            let quote = chars[at]
            at += 1
            var s = String.UnicodeScalarView()
            while let c = peek, c != quote {
                if c == "\\" { at += 1; guard peek != nil else { break } }
                s.append(chars[at])
                at += 1
            }
            guard peek == quote else { throw DataError("header has an unterminated string") }
            at += 1
            return String(s)
        }

        mutating func integer() throws -> Int {
            var negative = false
            if peek == "-" || peek == "+" { negative = peek == "-"; at += 1 }
            var v = 0, digits = 0
            while let c = peek, ("0"..."9").contains(c) {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(c.value) - 48)
                guard !o1, !o2 else { throw DataError("header has a number too large at character \(at)") }
                v = a; digits += 1; at += 1
            }
            guard digits > 0 else { throw DataError("header has a sign without digits at character \(at)") }
            if peek == "L" || peek == "l" { at += 1 }
            return negative ? -v : v
        }
    }
}
