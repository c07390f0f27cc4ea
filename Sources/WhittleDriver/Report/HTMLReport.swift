import Foundation
import WhittleSupport

/// A self-contained HTML report: headings, paragraphs, tables and inline SVG figures, with a
/// small embedded stylesheet and no scripts. Written atomically.
struct HTMLReport {
    let title: String
    private var body: [String] = []

    init(title: String) { self.title = title }

    mutating func heading(_ text: String) { body.append("<h2>\(escapeHTML(text))</h2>") }

    /// Empty, or a number with its unit ("12,207", "87.69%", "43.7 dB", "11:13").
    private static func isFigure(_ text: String) -> Bool {
        text.isEmpty || text.first.map { $0.isNumber || $0 == "-" || $0 == "−" } == true
    }

    /// A chart's own heading, under a section's.
    mutating func subheading(_ text: String) { body.append("<h3>\(escapeHTML(text))</h3>") }

    mutating func paragraph(_ text: String) { body.append("<p>\(escapeHTML(text))</p>") }

    /// A table; columns of figures are right-aligned, columns of words left-aligned. Rows in
    /// `emphasized` (by index) are bold: the one to ship, or totals.
    mutating func table(_ headers: [String], _ rows: [[String]], emphasized: Set<Int> = []) {
        let words = headers.indices.map { c in c == 0 || rows.contains { c < $0.count && !Self.isFigure($0[c]) } }
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            "<\(tag)\(column < words.count && words[column] ? " class=\"words\"" : "")>\(escapeHTML(text))</\(tag)>"
        }
        let head = headers.enumerated().map { cell("th", $1, $0) }.joined()
        let cells = rows.enumerated().map { i, row in
            (emphasized.contains(i) ? "<tr class=\"strong\">" : "<tr>") + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>"
        }.joined()
        body.append("<table><thead><tr>\(head)</tr></thead><tbody>\(cells)</tbody></table>")
    }

    /// Charts side by side, wrapping to the page width.
    mutating func figures(_ svgs: [String]) { captionedFigures(svgs.map { ($0, nil) }) }

    /// Charts side by side, each with a caption under it.
    mutating func captionedFigures(_ figures: [(svg: String, caption: String?)]) {
        guard !figures.isEmpty else { return }
        body.append("<div class=\"figures\">" + figures.map { f in
            "<figure>\(f.svg)" + (f.caption.map { "<figcaption>\(escapeHTML($0))</figcaption>" } ?? "") + "</figure>"
        }.joined() + "</div>")
    }

    var rendered: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1320px; color: #222; padding: 0 1em; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; font-size: 0.9em; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; }
        td, th { text-align: right; } td.words, th.words { text-align: left; }
        h3 { font-size: 1em; margin: 1.4em 0 0.3em; } p { max-width: 60em; } tr.strong td { font-weight: 600; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; } figure { margin: 0; }
        figcaption { font-size: 0.85em; color: #555; max-width: 30em; }
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
