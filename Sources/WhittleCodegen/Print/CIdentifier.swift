import Foundation

/// C-safe names derived from layer names, and text made safe for C comments.
enum CIdentifier {
    /// Letters, digits and `_` only, not starting with a digit, distinct from every name in
    /// `taken` (a numeric suffix resolves clashes).
    static func unique(_ name: String, taken: inout Set<String>) -> String {
        var base = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))) ? Character(scalar) : "_"
        })
        if base.isEmpty || base.first!.isNumber { base = "layer_" + base }
        var candidate = base
        var suffix = 2
        while taken.contains(candidate) {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Text that cannot end a C comment early, break a line, or form a C99 trigraph.
    static func comment(_ text: String) -> String {
        text.replacingOccurrences(of: "*/", with: "* /").replacingOccurrences(of: "??", with: "? ?")
            .split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
