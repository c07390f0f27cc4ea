import Foundation

/// Where messages go: results to stdout, progress and errors to stderr (so `--json` output on
/// stdout stays one clean object).
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((clearedLine + "whittle: error: " + message + "\n").utf8))
    }

    /// Something that works but probably not as the user wants: always shown, even with --json.
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data((clearedLine + "whittle: warning: " + message + "\n").utf8))
    }

    /// On a terminal, erases a progress line the message would otherwise be appended to.
    private static var clearedLine: String { isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : "" }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Prints one JSON object on stdout (for --json), encoded by `JSONOutput`.
    static func json(_ output: some Encodable) throws {
        let data = try JSONOutput.encode(output)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
