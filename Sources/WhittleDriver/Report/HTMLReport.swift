import Foundation
import WhittleSupport

/// A self-contained HTML report: headings, paragraphs, tables and inline SVG figures, with a
/// small embedded stylesheet and no scripts. Written atomically.
struct HTMLReport {
    let title: String
    private var body: [String] = []

    init(title: String) { self.title = title }

    mutating func heading(_ text: String) { body.append("<h2>\(escapeHTML(text))</h2>") }

    mutating func paragraph(_ text: String) { body.append("<p>\(escapeHTML(text))</p>") }

    /// A table; the first column is left-aligned, the others right-aligned.
    mutating func table(_ headers: [String], _ rows: [[String]]) {
        let head = headers.map { "<th>\(escapeHTML($0))</th>" }.joined()
        let cells = rows.map { "<tr>" + $0.map { "<td>\(escapeHTML($0))</td>" }.joined() + "</tr>" }.joined()
        body.append("<table><thead><tr>\(head)</tr></thead><tbody>\(cells)</tbody></table>")
    }

    /// Charts side by side, wrapping to the page width.
    mutating func figures(_ svgs: [String]) {
        guard !svgs.isEmpty else { return }
        body.append("<div class=\"figures\">" + svgs.map { "<figure>\($0)</figure>" }.joined() + "</div>")
    }

    var rendered: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1320px; color: #222; padding: 0 1em; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; font-size: 0.9em; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; }
        td, th { text-align: right; } td:first-child, th:first-child { text-align: left; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; } figure { margin: 0; }
        </style></head><body>
        <h1>\(escapeHTML(title))</h1>
        \(body.joined(separator: "\n"))
        </body></html>

        """
    }

    /// Writes the report atomically (complete or not at all).
    func write(to path: String) throws {
        try AtomicOutput.write(Data(rendered.utf8), to: URL(fileURLWithPath: path))
    }
}
