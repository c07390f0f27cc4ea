/// Sizes read from files are untrusted: a product of claimed dimensions can overflow `Int` (a
/// trap in Swift) or ask for terabytes. `SizeLimit` multiplies with overflow checks against an
/// explicit, named limit, so every reader fails with one line that names the limit instead.
public struct SizeLimit: Sendable, CustomStringConvertible {
    /// What is being counted, e.g. "elements of one tensor".
    public let what: String
    public let maximum: Int

    public init(_ what: String, maximum: Int) {
        self.what = what
        self.maximum = maximum
    }

    public var description: String { "\(grouped(maximum)) \(what)" }

    /// The product of `factors`, or an error naming `subject`, the factors and this limit when a
    /// factor is negative or the product exceeds `maximum` (or `Int`).
    public func product(_ factors: [Int], of subject: String) throws -> Int {
        if let negative = factors.first(where: { $0 < 0 }) { throw SizeLimitError("\(subject): size \(negative) is negative") }
        guard let total = checkedProduct(factors), total <= maximum else { throw exceeded(factors, of: subject) }
        return total
    }

    /// `value` itself, or an error when it is negative or above `maximum`.
    public func check(_ value: Int, of subject: String) throws -> Int {
        guard value >= 0 else { throw SizeLimitError("\(subject): \(value) is negative") }
        guard value <= maximum else { throw SizeLimitError("\(subject): \(grouped(value)) exceeds the limit of \(description)") }
        return value
    }

    private func exceeded(_ factors: [Int], of subject: String) -> SizeLimitError {
        SizeLimitError("\(subject): \(factors.map(String.init).joined(separator: "×")) exceeds the limit of \(description)")
    }
}

/// The product of `factors`, or nil when a factor is negative or the product overflows `Int`:
/// untrusted sizes are multiplied through here, never with a trapping `*`.
public func checkedProduct(_ factors: Int...) -> Int? {
    checkedProduct(factors)
}

/// `checkedProduct` of an array of factors.
public func checkedProduct(_ factors: [Int]) -> Int? {
    var total = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (next, overflow) = total.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        total = next
    }
    return total
}

/// A size beyond a named limit: one line naming what and the limit.
public struct SizeLimitError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// 1234567 → "1,234,567" (the limits are easier to read grouped).
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return value < 0 ? "-" + out : out
}
