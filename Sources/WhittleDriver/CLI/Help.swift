import Foundation

/// A command's `--help`, in the same sections for every command: usage, what it does, every
/// option, exit codes. Kept as data so every command's text has the same layout (a test reads
/// the printed sections and checks that each option a usage line shows is explained).
struct Help {
    /// One line per form of the command, each starting "whittle NAME".
    var usage: [String]
    /// What the command does, as paragraphs (lines already wrapped).
    var description: String
    /// Each option as it is written ("-o, --output FILE") with its explanation (wrapped here).
    var options: [(name: String, text: String)]
    /// What each exit code means for this command (wrapped here).
    var exitCodes: [(code: Int32, meaning: String)]

    /// Exit codes of a command that checks nothing: it did the work, or it was given bad input.
    static let workOrBadInput: [(code: Int32, meaning: String)] = [
        (0, "done"),
        (2, "bad input or usage: an unreadable or invalid file, an unknown option, an unwritable output"),
    ]

    /// The option column is this wide; longer names put their text on the next line.
    private static let nameWidth = 24
    /// Option texts and exit-code meanings are wrapped to lines this long.
    private static let lineWidth = 100

    var text: String {
        var lines = usage.enumerated().map { ($0.offset == 0 ? "usage: " : "       ") + $0.element }
        lines += ["", description, "", "options:"]
        let indent = String(repeating: " ", count: Self.nameWidth + 2)
        for option in options {
            let body = Self.wrap(option.text, width: Self.lineWidth - indent.count)
            let head = "  " + option.name
            if head.count < indent.count {
                lines.append(head.padding(toLength: indent.count, withPad: " ", startingAt: 0) + body[0])
            } else {
                lines += [head, indent + body[0]]
            }
            lines += body.dropFirst().map { indent + $0 }
        }
        lines += ["", "exit codes:"]
        for exit in exitCodes {
            let body = Self.wrap(exit.meaning, width: Self.lineWidth - 5)
            lines.append("  \(exit.code)  " + body[0])
            lines += body.dropFirst().map { "     " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `text`'s words (its line breaks are spaces) in lines of at most `width` characters.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(whereSeparator: \.isWhitespace) {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + [line]
    }
}
