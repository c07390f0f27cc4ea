import WhittleSupport

/// A small command-line parser: `--name value`, `--name=value`, boolean `--flag`s and
/// positionals. Every option a command reads is consumed; `finish()` rejects leftovers, so a
/// typo is a usage error rather than silently ignored.
struct Arguments {
    private var tokens: [String]
    let command: String

    init(command: String, tokens: [String]) {
        self.command = command
        // Split --name=value into two tokens once, up front.
        self.tokens = tokens.flatMap { t -> [String] in
            if t.hasPrefix("--"), let eq = t.firstIndex(of: "=") {
                return [String(t[..<eq]), String(t[t.index(after: eq)...])]
            }
            return [t]
        }
    }

    var wantsHelp: Bool { tokens.contains("--help") || tokens.contains("-h") }

    /// Removes and returns `--name value` (or `-s value`), nil when absent.
    mutating func option(_ names: String...) throws -> String? {
        guard let i = tokens.firstIndex(where: { names.contains($0) }) else { return nil }
        guard i + 1 < tokens.count else { throw UsageError(command, "\(tokens[i]) needs a value") }
        let value = tokens[i + 1]
        tokens.removeSubrange(i...(i + 1))
        return value
    }

    /// Removes and returns an output path option, checked at once (`OutputPath.check`) so a
    /// command never works for minutes and then fails to write.
    mutating func output(_ names: String..., as kind: OutputPath.Kind) throws -> String? {
        guard let i = tokens.firstIndex(where: { names.contains($0) }) else { return nil }
        let name = tokens[i]
        guard let path = try option(name) else { return nil }
        try OutputPath.check(path, as: kind, option: name)
        return path
    }

    mutating func int(_ names: String...) throws -> Int? {
        guard let i = tokens.firstIndex(where: { names.contains($0) }) else { return nil }
        let name = tokens[i]
        guard let text = try option(name) else { return nil }
        guard let v = Int(text) else { throw UsageError(command, "\(name) expects an integer, got '\(text)'") }
        return v
    }

    mutating func double(_ names: String...) throws -> Double? {
        guard let i = tokens.firstIndex(where: { names.contains($0) }) else { return nil }
        let name = tokens[i]
        guard let text = try option(name) else { return nil }
        guard let v = Double(text) else { throw UsageError(command, "\(name) expects a number, got '\(text)'") }
        return v
    }

    /// Removes `--flag`, returns whether it was present.
    mutating func flag(_ names: String...) -> Bool {
        guard let i = tokens.firstIndex(where: { names.contains($0) }) else { return false }
        tokens.remove(at: i)
        return true
    }

    /// Removes and returns the next positional argument, or throws naming `what`.
    mutating func positional(_ what: String) throws -> String {
        guard let v = optionalPositional() else { throw UsageError(command, "missing \(what)") }
        return v
    }

    mutating func optionalPositional() -> String? {
        guard let i = tokens.firstIndex(where: { !$0.hasPrefix("-") || $0 == "-" }) else { return nil }
        return tokens.remove(at: i)
    }

    /// Fails on anything not consumed.
    func finish() throws {
        if let extra = tokens.first {
            throw UsageError(command, extra.hasPrefix("-") ? "unknown option \(extra)" : "unexpected argument '\(extra)'")
        }
    }
}

/// Wrong command-line usage: exit 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ command: String, _ message: String) {
        description = "\(command): \(message) (see whittle \(command) --help)"
    }
}

/// A check the user asked for did not pass (verify mismatch, accuracy floor…): exit 1.
struct CheckFailed: Error, CustomStringConvertible {
    let description: String
}
