import Foundation
import WhittleTensor

/// Coloured shapes on a noisy background, for image inputs [C, H, W]: the class is the shape's
/// kind (disc, square, triangle, ring, plus, frame), then its colour when the classes outnumber
/// the kinds, then its size. Position, rotation, size jitter, ink, background and noise are
/// nuisance. Colours light channel c when bit c mod 3 of the colour's code is set: six on
/// three or more channels (red, green, yellow, blue, magenta, cyan on RGB), three on two, one
/// on grey images.
struct SyntheticShapes {
    let channels, height, width: Int
    static let kinds = 6

    var colours: Int { channels >= 3 ? 6 : channels == 2 ? 3 : 1 }

    /// The class's (kind, colour, large) and which of colour and size the class fixes.
    func attributes(of label: Int, classes: Int) -> (kind: Int, colour: Int?, large: Bool?) {
        let k = Self.kinds, p = colours
        let kind = label % k
        let colour = classes > k ? (label / k) % p : nil
        let large = classes > k * p ? (label / (k * p)) % 2 == 1 : nil
        return (kind, colour, large)
    }

    func render(_ label: Int, classes: Int, rng r: inout RNG, into out: UnsafeMutablePointer<UInt8>) {
        let (kind, fixedColour, fixedLarge) = attributes(of: label, classes: classes)
        let colour = fixedColour ?? r.int(below: colours)
        let side = Double(min(height, width))
        let radius = side * Double(fixedLarge.map { $0 ? r.uniform(0.28, 0.34) : r.uniform(0.15, 0.2) } ?? r.uniform(0.2, 0.32))
        let cx = Double(r.uniform(Float(radius) + 0.5, Float(Double(width) - radius - 0.5)))
        let cy = Double(r.uniform(Float(radius) + 0.5, Float(Double(height) - radius - 0.5)))
        let angle = Double(r.uniform(-25, 25)) * .pi / 180
        let ink = (0..<channels).map { c -> Double in
            (colour + 1) >> (c % 3) & 1 == 1 || channels == 1 ? Double(r.uniform(0.7, 1)) : Double(r.uniform(0, 0.15))
        }
        let background = (0..<channels).map { _ in Double(r.uniform(0, 0.25)) }
        let noise = Double(r.uniform(0, 0.06))
        let (cosA, sinA) = (cos(angle), sin(angle))
        for py in 0..<height {
            for px in 0..<width {
                let dx = Double(px) + 0.5 - cx, dy = Double(py) + 0.5 - cy
                let d = Self.distance(kind, x: cosA * dx + sinA * dy, y: -sinA * dx + cosA * dy, radius: radius)
                let cover = min(max(0.5 - d, 0), 1)
                for c in 0..<channels {
                    let v = background[c] + cover * (ink[c] - background[c]) + Double(r.normal()) * noise
                    out[(c * height + py) * width + px] = SyntheticData.byte(v)
                }
            }
        }
    }

    /// Signed distance in pixels (negative inside) from (x, y), relative to the centre, to the shape.
    static func distance(_ kind: Int, x: Double, y: Double, radius r: Double) -> Double {
        let ax = abs(x), ay = abs(y), len = (x * x + y * y).squareRoot()
        switch kind {
        case 0: return len - r                                                            // disc
        case 1: return max(ax, ay) - 0.8 * r                                              // square
        case 2: return (0..<3).map { k -> Double in                                       // triangle
            let t = -Double.pi / 2 + 2 * Double.pi * Double(k) / 3
            return -(x * cos(t) + y * sin(t)) - r / 2
        }.max()!
        case 3: return abs(len - 0.72 * r) - 0.22 * r                                     // ring
        case 4: return min(max(ax - r, ay - 0.26 * r), max(ax - 0.26 * r, ay - r))       // plus
        default: return abs(max(ax, ay) - 0.68 * r) - 0.18 * r                            // frame
        }
    }
}
