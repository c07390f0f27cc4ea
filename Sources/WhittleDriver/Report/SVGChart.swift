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

    /// Horizontal bars, one row per label and one bar per series in each row, on the scale
    /// `range` (a value axis with ticks below), each row ending in its `note`. The label column
    /// is as wide as the longest label, so none is cut off; start `range` above 0 where the
    /// differences between rows are small against the values (accuracies).
    static func bars(_ rows: [(label: String, values: [Double], note: String)], series: [String] = [],
                     range: ClosedRange<Double>, title: String, axisLabel: String = "", width: Double = 560) -> String {
        let barHeight = 14.0, bars = Double(max(rows.map(\.values.count).max() ?? 1, 1))
        let rowHeight = bars * barHeight + 8
        let legendHeight = series.count > 1 ? 18.0 : 0
        let height = 34 + legendHeight + rowHeight * Double(max(rows.count, 1)) + 38
        var chart = SVGChart(width: width, height: height, title: title)
        let left = 12 + textWidth(rows.map(\.label)), noteWidth = textWidth(rows.map(\.note))
        let right = width - 10 - noteWidth, top = 30 + legendHeight
        let span = max(range.upperBound - range.lowerBound, 1e-12)
        func position(_ v: Double) -> Double { left + (min(max(v, range.lowerBound), range.upperBound) - range.lowerBound) / span * (right - left) }
        if series.count > 1 {
            var x = left
            for (i, name) in series.enumerated() {
                chart.parts.append("<rect x=\"\(f(x))\" y=\"\(f(top - 16))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>")
                chart.parts.append(chart.text(x + 14, top - 7, name))
                x += 24 + textWidth([name])
            }
        }
        let bottom = top + rowHeight * Double(rows.count)
        for t in ticks(range) {
            let px = position(t)
            chart.parts.append("<line x1=\"\(f(px))\" x2=\"\(f(px))\" y1=\"\(f(top))\" y2=\"\(f(bottom + 4))\" stroke=\"#e4e4e4\"/>")
            chart.parts.append(chart.text(px, bottom + 16, label(t), anchor: "middle"))
        }
        if !axisLabel.isEmpty { chart.parts.append(chart.text((left + right) / 2, bottom + 32, axisLabel, anchor: "middle")) }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight + 4
            chart.parts.append(chart.text(left - 6, y + rowHeight / 2, row.label, anchor: "end"))
            for (b, v) in row.values.enumerated() {
                let by = y + Double(b) * barHeight
                chart.parts.append("<rect x=\"\(f(left))\" y=\"\(f(by))\" width=\"\(f(position(v) - left))\" height=\"\(f(barHeight - 2))\" "
                                   + "fill=\"\(palette[b % palette.count])\"/>")
            }
            chart.parts.append(chart.text(right + 6, y + rowHeight / 2, row.note))
        }
        chart.parts.append("<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\" stroke=\"#999\"/>")
        return chart.rendered
    }

    /// A range for bars whose differences matter more than their size (accuracies): from a
    /// round value below the smallest to one above the largest, so that 87.55 and 88.36 differ
    /// visibly; from 0 when the values spread over more than half of the largest.
    static func differenceRange(_ values: [Double]) -> ClosedRange<Double> {
        guard let lo = values.min(), let hi = values.max(), hi > 0 else { return 0...1 }
        if lo < hi / 2 { return 0...hi * 1.02 }
        let pad = max((hi - lo) * 0.25, hi * 0.002)
        let marks = ticks((lo - pad)...(hi + pad))
        let step = marks.count > 1 ? marks[1] - marks[0] : pad
        return ((lo - pad) / step).rounded(.down) * step...((hi + pad) / step).rounded(.up) * step
    }

    /// About how wide `labels`' longest is at the charts' 11 px font (wide glyphs included).
    static func textWidth(_ labels: [String]) -> Double { 6.6 * Double(labels.map(\.count).max() ?? 0) }

    /// A density map as an image: one square per cell, darker where more weights are nonzero
    /// (white: all pruned). Cells are shaded in five steps and equal neighbours in a row merged,
    /// so a large layer stays a small figure.
    static func densityImage(_ map: WeightDensityMap, title: String, width: Double = 300) -> String {
        let cell = max(2, min(10, (width - 20) / Double(max(map.columns, 1))))
        let height = 30 + cell * Double(map.rows) + 10
        var chart = SVGChart(width: max(width, cell * Double(map.columns) + 20), height: height, title: title)
        let x0 = 10.0, y0 = 28.0
        chart.parts.append("<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(cell * Double(map.columns)))\" height=\"\(f(cell * Double(map.rows)))\" fill=\"#fff\" stroke=\"#999\"/>")
        let shades = ["", "#c6d3f3", "#93abe6", "#5f82d9", "#2c58c8", "#0d2f86"]
        /// 0 all pruned, 1…4 by quarters, 5 all kept.
        func level(_ r: Int, _ c: Int) -> Int {
            let d = map.cells[r * map.columns + c]
            return d == 0 ? 0 : d >= 1 ? 5 : 1 + Int(d * 4)
        }
        for r in 0..<map.rows {
            var c = 0
            while c < map.columns {
                let shade = level(r, c)
                var run = 1
                while c + run < map.columns && level(r, c + run) == shade { run += 1 }
                if shade > 0 {
                    chart.parts.append("<rect x=\"\(f(x0 + cell * Double(c)))\" y=\"\(f(y0 + cell * Double(r)))\" width=\"\(f(cell * Double(run)))\" "
                                       + "height=\"\(f(cell))\" fill=\"\(shades[shade])\"/>")
                }
                c += run
            }
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
        if v == v.rounded() && abs(v) < 1e9 { return grouped(Int(v)) }
        return String(format: abs(v) >= 0.01 ? "%.3g" : "%.1e", v)
    }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

/// Escapes text for HTML and SVG.
func escapeHTML(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
