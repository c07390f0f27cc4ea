import Foundation

/// Small inline-SVG charts for the HTML reports: histograms, horizontal bars and line plots.
/// Each chart is one self-contained `<svg>` string (axes, ticks, legend; no scripts, no fonts
/// to load), so a report is a single file that opens anywhere.
struct SVGChart {
    static let palette = ["#4269d0", "#ff725c", "#3ca951", "#efb118", "#a463f2", "#6cc5b0", "#ff8ab7", "#9c6b4e"]

    let width: Double, height: Double
    private let margin = (left: 52.0, right: 14.0, top: 28.0, bottom: 38.0)
    private var parts: [String] = []

    init(width: Double = 420, height: Double = 240, title: String) {
        self.width = width; self.height = height
        parts.append(text(width / 2, 17, title, anchor: "middle", size: 13, weight: "bold"))
    }

    var plot: (x: Double, y: Double, w: Double, h: Double) {
        (margin.left, margin.top, width - margin.left - margin.right, height - margin.top - margin.bottom)
    }

    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "font-family=\"system-ui, sans-serif\" font-size=\"11\">" + parts.joined() + "</svg>"
    }

    // MARK: Charts

    /// Overlaid histograms of several value sets on shared bins (bars drawn translucent).
    /// `marker` draws a dashed vertical line (e.g. a pruning threshold).
    static func histogram(_ series: [(label: String, values: [Float])], bins: Int = 40, title: String,
                          xLabel: String = "value", marker: Double? = nil, width: Double = 420, height: Double = 240) -> String {
        var chart = SVGChart(width: width, height: height, title: title)
        let all = series.flatMap(\.values).map(Double.init)
        guard var lo = all.min(), var hi = all.max() else { return chart.empty("no values") }
        if let m = marker { lo = min(lo, m); hi = max(hi, m) }
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let step = (hi - lo) / Double(bins)
        let counts = series.map { s -> [Int] in
            var c = [Int](repeating: 0, count: bins)
            for v in s.values { c[min(bins - 1, max(0, Int((Double(v) - lo) / step)))] += 1 }
            return c
        }
        let top = Double(counts.flatMap { $0 }.max() ?? 1)
        chart.axes(x: lo...hi, y: 0...max(top, 1), xLabel: xLabel, yLabel: "count")
        for (si, c) in counts.enumerated() {
            let color = palette[si % palette.count]
            for (b, n) in c.enumerated() where n > 0 {
                let x0 = chart.x(lo + Double(b) * step, lo...hi), x1 = chart.x(lo + Double(b + 1) * step, lo...hi)
                let y = chart.y(Double(n), 0...max(top, 1))
                chart.parts.append("<rect x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(max(x1 - x0 - 0.5, 0.5)))\" height=\"\(f(chart.plot.y + chart.plot.h - y))\" fill=\"\(color)\" fill-opacity=\"0.55\"/>")
            }
        }
        if let m = marker {
            let x = chart.x(m, lo...hi)
            chart.parts.append("<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(chart.plot.y))\" y2=\"\(f(chart.plot.y + chart.plot.h))\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>")
        }
        chart.legend(series.enumerated().map { ("\($1.label) (\($1.values.count))", palette[$0 % palette.count]) })
        return chart.rendered
    }

    /// Horizontal bars, one per row, on a 0…`maximum` scale, each labelled with `note`.
    static func bars(_ rows: [(label: String, value: Double, note: String)], maximum: Double, title: String,
                     width: Double = 420) -> String {
        let rowHeight = 22.0
        var chart = SVGChart(width: width, height: 40 + rowHeight * Double(max(rows.count, 1)) + 10, title: title)
        let left = 70.0, right = width - 110, scale = (right - left) / max(maximum, 1e-12)
        for (i, row) in rows.enumerated() {
            let y = 32 + Double(i) * rowHeight
            chart.parts.append(chart.text(left - 6, y + 14, row.label, anchor: "end"))
            chart.parts.append("<rect x=\"\(f(left))\" y=\"\(f(y + 3))\" width=\"\(f(right - left))\" height=\"15\" fill=\"#eee\"/>")
            chart.parts.append("<rect x=\"\(f(left))\" y=\"\(f(y + 3))\" width=\"\(f(max(0, min(row.value, maximum)) * scale))\" height=\"15\" fill=\"\(palette[0])\"/>")
            chart.parts.append(chart.text(right + 6, y + 14, row.note))
        }
        return chart.rendered
    }

    /// Line plots with point markers, one series per label.
    static func lines(_ series: [(label: String, points: [(x: Double, y: Double)])], title: String,
                      xLabel: String, yLabel: String, width: Double = 420, height: Double = 260) -> String {
        var chart = SVGChart(width: width, height: height, title: title)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        guard var x0 = xs.min(), var x1 = xs.max(), var y0 = ys.min(), var y1 = ys.max() else { return chart.empty("no points") }
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if y1 - y0 < 1e-12 { y0 -= 0.5; y1 += 0.5 }
        chart.axes(x: x0...x1, y: y0...y1, xLabel: xLabel, yLabel: yLabel)
        for (si, s) in series.enumerated() {
            let color = palette[si % palette.count]
            let coords = s.points.map { "\(f(chart.x($0.x, x0...x1))),\(f(chart.y($0.y, y0...y1)))" }
            chart.parts.append("<polyline points=\"\(coords.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>")
            for p in s.points {
                chart.parts.append("<circle cx=\"\(f(chart.x(p.x, x0...x1)))\" cy=\"\(f(chart.y(p.y, y0...y1)))\" r=\"2.5\" fill=\"\(color)\"/>")
            }
        }
        chart.legend(series.enumerated().map { ($1.label, palette[$0 % palette.count]) })
        return chart.rendered
    }

    // MARK: Drawing

    func x(_ v: Double, _ range: ClosedRange<Double>) -> Double {
        plot.x + (v - range.lowerBound) / (range.upperBound - range.lowerBound) * plot.w
    }

    func y(_ v: Double, _ range: ClosedRange<Double>) -> Double {
        plot.y + plot.h - (v - range.lowerBound) / (range.upperBound - range.lowerBound) * plot.h
    }

    private mutating func axes(x xr: ClosedRange<Double>, y yr: ClosedRange<Double>, xLabel: String, yLabel: String) {
        let p = plot
        parts.append("<rect x=\"\(f(p.x))\" y=\"\(f(p.y))\" width=\"\(f(p.w))\" height=\"\(f(p.h))\" fill=\"none\" stroke=\"#999\"/>")
        for t in Self.ticks(xr) {
            let px = x(t, xr)
            parts.append("<line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(p.y + p.h))\" y2=\"\(f(p.y + p.h + 4))\" stroke=\"#999\"/>")
            parts.append(text(px, p.y + p.h + 15, Self.label(t), anchor: "middle"))
        }
        for t in Self.ticks(yr) {
            let py = y(t, yr)
            parts.append("<line x1=\"\(f(p.x - 4))\" x2=\"\(f(p.x + p.w))\" y1=\"\(f(py))\" y2=\"\(f(py))\" stroke=\"#e4e4e4\"/>")
            parts.append(text(p.x - 6, py + 4, Self.label(t), anchor: "end"))
        }
        parts.append(text(p.x + p.w / 2, height - 6, xLabel, anchor: "middle"))
        parts.append("<text transform=\"translate(12,\(f(p.y + p.h / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeHTML(yLabel))</text>")
    }

    private mutating func legend(_ entries: [(String, String)]) {
        guard entries.count > 1 else { return }
        let longest = Double(entries.map(\.0.count).max() ?? 0)
        parts.append("<rect x=\"\(f(plot.x + plot.w - 154))\" y=\"\(f(plot.y + 2))\" width=\"\(f(min(150, 22 + 6 * longest)))\" "
                     + "height=\"\(f(14 * Double(entries.count) + 4))\" fill=\"white\" fill-opacity=\"0.85\"/>")
        var y = plot.y + 12
        for (label, color) in entries {
            parts.append("<rect x=\"\(f(plot.x + plot.w - 150))\" y=\"\(f(y - 8))\" width=\"10\" height=\"10\" fill=\"\(color)\" fill-opacity=\"0.8\"/>")
            parts.append(text(plot.x + plot.w - 136, y + 1, label))
            y += 14
        }
    }

    private func empty(_ message: String) -> String {
        var c = self
        c.parts.append(text(width / 2, height / 2, message, anchor: "middle"))
        return c.rendered
    }

    private func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "start", size: Int? = nil, weight: String? = nil) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\"" + (size.map { " font-size=\"\($0)\"" } ?? "")
            + (weight.map { " font-weight=\"\($0)\"" } ?? "") + ">\(escapeHTML(s))</text>"
    }

    /// About five round tick values covering `range`.
    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        let raw = span / 5, magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (range.lowerBound / step).rounded(.up) * step, out: [Double] = []
        while t <= range.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: abs(v) >= 0.01 ? "%.3g" : "%.1e", v)
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

/// Escapes text for HTML and SVG.
func escapeHTML(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
