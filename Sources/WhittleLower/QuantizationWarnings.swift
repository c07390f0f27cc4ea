import WhittleCompress
import WhittleNN
import WhittleTensor

/// Quantization that runs but quietly loses the model: a calibration set that does not cover the
/// data (all one value, say), or one weight so far above the rest of its channel that it sets
/// the scale and the others round to nothing. Each warning is one line naming the layer and cause.
public enum QuantizationWarnings {
    /// Test input values outside the calibrated input range, above which calibration is called
    /// unrepresentative.
    public static let clippedInputShare = 0.01
    /// A channel's largest |w| this many times its second largest: the others keep ≤ 3 bits.
    public static let outlierRatio: Float = 16

    public static func check(_ graph: Graph, calibration: CalibrationResult, test: Dataset, perChannelWeights: Bool) throws -> [String] {
        var warnings = calibrationWarnings(calibration, test: test)
        for step in try Fusion.fuse(graph).steps {
            switch step.op {
            case .conv(let c): warnings += outlierWarnings(step.name, c.weight, perChannel: perChannelWeights)
            case .fullyConnected(let f): warnings += outlierWarnings(step.name, f.weight, perChannel: perChannelWeights)
            default: break
            }
        }
        return warnings
    }

    static func calibrationWarnings(_ calibration: CalibrationResult, test: Dataset) -> [String] {
        let range = calibration.input
        if range.min == range.max {
            return ["calibration: every input value of the \(calibration.samples) calibration samples is \(range.min), so the input scale "
                    + "says nothing about real data; calibrate on representative samples"]
        }
        var clipped = 0, total = 0
        for start in stride(from: 0, to: test.count, by: 500) {
            let (x, _) = test.batch(start..<min(start + 500, test.count))
            clipped += x.storage.reduce(0) { $0 + ($1 < range.min || $1 > range.max ? 1 : 0) }
            total += x.count
        }
        let share = Double(clipped) / Double(max(total, 1))
        guard share > clippedInputShare else { return [] }
        return ["calibration: \(percent(share)) of the test inputs fall outside the calibrated input range [\(range.min), \(range.max)] "
                + "and will be clipped; calibrate on samples that represent the data"]
    }

    /// Channels (or the whole tensor, per-tensor) whose scale one weight sets.
    static func outlierWarnings(_ layer: String, _ weight: Tensor, perChannel: Bool) -> [String] {
        let groups = perChannel ? weight.shape[0] : 1, per = weight.count / max(groups, 1)
        var found: [(channel: Int, value: Float, ratio: Float)] = []
        for g in 0..<groups {
            var largest: Float = 0, second: Float = 0, value: Float = 0
            for w in weight.storage[(g * per)..<((g + 1) * per)] where w != 0 {
                if abs(w) > largest { (second, largest, value) = (largest, abs(w), w) } else if abs(w) > second { second = abs(w) }
            }
            if second > 0, largest > outlierRatio * second { found.append((g, value, largest / second)) }
        }
        guard let worst = found.max(by: { $0.ratio < $1.ratio }) else { return [] }
        let scope = perChannel ? "in \(found.count) of \(groups) channels one weight sets the scale (worst: channel \(worst.channel), "
                               : "one weight sets the scale of the whole tensor ("
        return ["layer '\(layer)': \(scope)\(worst.value), \(worst.ratio)× the next largest), so its other weights "
                + "round to a few levels or to 0; check the weights (or train with weight decay)"]
    }

    private static func percent(_ share: Double) -> String {
        "\((share * 1000).rounded() / 10) %"
    }
}
