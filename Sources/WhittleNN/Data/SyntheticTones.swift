import Foundation
import WhittleTensor

/// "Moving tones": a spectrogram-like grid, rows time and columns frequency bins (as a keyword
/// spotter's [1, 49, 10] features). The class is a frequency pattern over time — flat low, flat
/// high, rising, falling, up-down, down-up, a trill, a chord, a step up, a step down — then,
/// when the classes outnumber the patterns, when it sounds (throughout, early, late). Frequency
/// offset, timing, bandwidth, loudness and background noise are nuisance.
struct SyntheticTones {
    let time, bins: Int
    static let patterns = 10

    /// The frequency positions (0 lowest bin … 1 highest) sounding at t ∈ [0, 1].
    static func tracks(_ pattern: Int, at t: Double) -> [Double] {
        switch pattern {
        case 0: return [0.2]
        case 1: return [0.8]
        case 2: return [0.15 + 0.7 * t]
        case 3: return [0.85 - 0.7 * t]
        case 4: return [0.2 + 0.6 * sin(.pi * t)]
        case 5: return [0.8 - 0.6 * sin(.pi * t)]
        case 6: return [Int(t * 4) % 2 == 0 ? 0.3 : 0.7]
        case 7: return [0.25, 0.75]
        case 8: return [t < 0.5 ? 0.25 : 0.75]
        default: return [t < 0.5 ? 0.75 : 0.25]
        }
    }

    func render(_ label: Int, classes: Int, rng r: inout RNG, into out: UnsafeMutablePointer<UInt8>) {
        let pattern = label % Self.patterns
        // When it sounds: fixed by the class when there are more classes than patterns.
        let onset = classes > Self.patterns ? (label / Self.patterns) % 3 : 0
        let (start, end): (Double, Double) = switch onset {
        case 1: (Double(r.uniform(0, 0.08)), Double(r.uniform(0.42, 0.55)))
        case 2: (Double(r.uniform(0.45, 0.58)), Double(r.uniform(0.92, 1)))
        default: (Double(r.uniform(0, 0.1)), Double(r.uniform(0.9, 1)))
        }
        let offset = Double(r.uniform(-0.1, 0.1)), shift = Double(r.uniform(-0.1, 0.1))
        let width = Double(r.uniform(0.5, 1.5)), loudness = Double(r.uniform(0.4, 1))
        let floor = Double(r.uniform(0, 0.2)), noise = Double(r.uniform(0.05, 0.25))
        let last = Double(max(bins - 1, 1))
        for row in 0..<time {
            let t = (Double(row) + 0.5) / Double(time)
            let sounding = t >= start && t <= end
            let phase = min(max((t - start) / max(end - start, 1e-6) + shift, 0), 1)
            let centres = sounding ? Self.tracks(pattern, at: phase).map { ($0 + offset) * last } : []
            for bin in 0..<bins {
                var v = floor + Double(r.normal()) * noise
                for c in centres {
                    let d = (Double(bin) - c) / width
                    v += loudness * exp(-0.5 * d * d)
                }
                out[row * bins + bin] = SyntheticData.byte(v)
            }
        }
    }
}
