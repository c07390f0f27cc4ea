import Foundation

/// A one-line progress display on stderr: redrawn in place on a terminal (at most ~10 times a
/// second), silent when stderr is piped, so logs hold only the lines passed to `finish`.
/// Sendable so progress callbacks can hold one; it is meant to be drawn from one thread at a time.
public final class ProgressLine: @unchecked Sendable {
    public let isTerminal: Bool
    private var lastDraw = Date.distantPast
    private let quiet: Bool

    /// `quiet` suppresses even the final lines (for --json runs).
    public init(quiet: Bool = false) {
        isTerminal = isatty(STDERR_FILENO) != 0
        self.quiet = quiet
    }

    public func update(_ text: String, force: Bool = false) {
        guard isTerminal, !quiet else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        write("\r\u{1B}[K" + text)
    }

    /// Replaces the progress line with a permanent one.
    public func finish(_ line: String) {
        guard !quiet else { return }
        write((isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
    }

    /// Removes the progress line, so what is printed next starts on a clean line.
    public func clear() {
        guard isTerminal, !quiet else { return }
        write("\r\u{1B}[K")
    }

    /// A text bar such as `[=========>          ]`.
    public static func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded(.down))
        return "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: " ", count: max(0, width - filled - 1)) + "]"
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
