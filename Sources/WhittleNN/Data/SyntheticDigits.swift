import Foundation
import WhittleTensor
import WhittleSupport

/// A built-in, seed-generated 28×28 grey-scale digits dataset: ten classes of pen strokes
/// (lines and elliptic arcs) drawn with random control-point jitter, rotation, shear, scale,
/// shift, stroke width and ink, plus sensor noise and the odd stray stroke. It needs no files,
/// is learnable (LeNet reaches the high 90s) but not trivial (a linear model does much worse).
public enum SyntheticDigits {
    public static let side = 28
    /// At most this many samples in one split (820 MB of pixels).
    public static let sampleLimit = SizeLimit("synthetic samples", maximum: 1 << 20)

    /// `count` samples; sample i depends only on (seed, i), so prefixes are stable.
    public static func generate(count: Int, seed: UInt64, name: String = "synthetic") -> Dataset {
        SyntheticData.draw(shape: [1, side, side], classes: 10, count: count, seed: seed, name: name) { render($0, rng: &$1, into: $2) }
    }

    typealias Point = (x: Double, y: Double)

    /// Strokes of each digit in a unit box (x right, y down), as polylines.
    static func strokes(_ digit: Int, jitter: (Double) -> Double) -> [[Point]] {
        func p(_ x: Double, _ y: Double) -> Point { (x + jitter(0.03), y + jitter(0.03)) }
        func arc(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, _ from: Double, _ to: Double) -> [Point] {
            let c = p(cx, cy), a = rx * (1 + jitter(0.12)), b = ry * (1 + jitter(0.12))
            let steps = max(6, Int(abs(to - from) / 15))
            return (0...steps).map { s in
                let t = (from + (to - from) * Double(s) / Double(steps)) * .pi / 180
                return (c.x + a * cos(t), c.y + b * sin(t))
            }
        }
        switch digit {
        case 0: return [arc(0.5, 0.5, 0.2, 0.31, 0, 360)]
        case 1: return [[p(0.40, 0.30), p(0.53, 0.18), p(0.53, 0.82)]]
        case 2: return [arc(0.5, 0.36, 0.2, 0.17, 180, 390) + [p(0.28, 0.82), p(0.74, 0.82)]]
        case 3: return [arc(0.48, 0.34, 0.19, 0.15, 200, 450), arc(0.48, 0.66, 0.22, 0.17, 270, 520)]
        case 4: return [[p(0.62, 0.82), p(0.62, 0.18), p(0.26, 0.62), p(0.77, 0.62)]]
        case 5: return [[p(0.72, 0.18), p(0.35, 0.18), p(0.32, 0.47)], arc(0.5, 0.63, 0.22, 0.19, 215, 515)]
        case 6: return [[p(0.67, 0.19), p(0.46, 0.29), p(0.33, 0.48), p(0.30, 0.66)], arc(0.5, 0.66, 0.2, 0.16, 0, 360)]
        case 7: return [[p(0.26, 0.2), p(0.75, 0.2), p(0.44, 0.83)]]
        case 8: return [arc(0.5, 0.33, 0.17, 0.15, 0, 360), arc(0.5, 0.66, 0.21, 0.18, 0, 360)]
        default: return [arc(0.5, 0.35, 0.2, 0.16, 0, 360), [p(0.7, 0.36), p(0.62, 0.83)]]
        }
    }

    static func render(_ digit: Int, rng: inout RNG, into out: UnsafeMutablePointer<UInt8>) {
        var r = rng
        func jitter(_ s: Double) -> Double { Double(r.normal()) * s }
        var lines = strokes(digit, jitter: jitter)
        if r.uniform() < 0.25 { // a stray pen mark
            let x = Double(r.uniform(0.1, 0.9)), y = Double(r.uniform(0.1, 0.9))
            lines.append([(x, y), (x + jitter(0.12), y + jitter(0.12))])
        }
        // Random affine map of the unit box onto the 28×28 grid.
        let angle = Double(r.uniform(-15, 15)) * .pi / 180, shear = Double(r.uniform(-0.25, 0.25))
        let sx = Double(r.uniform(0.78, 1.12)), sy = sx * Double(r.uniform(0.9, 1.1))
        let tx = Double(r.uniform(-0.09, 0.09)), ty = Double(r.uniform(-0.09, 0.09))
        let n = Double(side)
        func place(_ q: Point) -> Point {
            let x = (q.x - 0.5) * sx + shear * (q.y - 0.5) * sy, y = (q.y - 0.5) * sy
            return ((cos(angle) * x - sin(angle) * y + 0.5 + tx) * n, (sin(angle) * x + cos(angle) * y + 0.5 + ty) * n)
        }
        let segments = lines.flatMap { line -> [(Point, Point)] in
            let placed = line.map(place)
            return zip(placed, placed.dropFirst()).map { ($0, $1) }
        }
        let halfWidth = Double(r.uniform(0.7, 1.5)), ink = Double(r.uniform(0.65, 1.0))
        let noise = Double(r.uniform(0, 0.12))
        for py in 0..<side {
            for px in 0..<side {
                let c: Point = (Double(px) + 0.5, Double(py) + 0.5)
                var d = Double.infinity
                for (a, b) in segments { d = min(d, distance(c, a, b)) }
                var v = ink * min(max(halfWidth + 0.5 - d, 0), 1) + Double(r.normal()) * noise
                v = min(max(v, 0), 1)
                out[py * side + px] = UInt8((v * 255).rounded())
            }
        }
        rng = r
    }

    /// Distance from point c to segment ab.
    static func distance(_ c: Point, _ a: Point, _ b: Point) -> Double {
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        let t = len2 == 0 ? 0 : min(max(((c.x - a.x) * dx + (c.y - a.y) * dy) / len2, 0), 1)
        let ex = a.x + t * dx - c.x, ey = a.y + t * dy - c.y
        return (ex * ex + ey * ey).squareRoot()
    }
}
