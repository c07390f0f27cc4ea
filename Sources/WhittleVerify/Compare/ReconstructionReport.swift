import WhittleIR
import WhittleSupport

/// An autoencoder's validation: each input's reconstruction error, the mean over its elements of
/// (real output − real input)², for the C and for the float model, and as an anomaly detector
/// (the error as the score, inputs outside the normal classes as the anomalies) their ROC areas.
public struct ReconstructionReport: Codable, Hashable, Sendable {
    public var vectors: Int
    public var cMeanError: Double
    public var floatMeanError: Double?
    /// nil without labels and normal classes (or when the vectors hold only one kind).
    public var cAUC: Double?
    public var floatAUC: Double?
    public var normalClasses: [Int32]?
    /// Whether the errors the C harness printed equal these (nil where it prints none).
    public var harnessAgrees: Bool?

    /// `c`, `inputs` and `floatOutputs` hold `size` values per vector; `printed` is the harness's
    /// standard output ("reconstruction_error INDEX ERROR" lines), or nil.
    public init(c: [Int8], inputs: [Int8], floatOutputs: [Float]?, labels: [Int32]?, task: ReconstructionTask,
                size: Int, input: QuantParams, output: QuantParams, printed: String?) {
        let count = size == 0 ? 0 : c.count / size
        vectors = count
        normalClasses = task.normalClasses
        /// The same sum, in the same order, as the harness's `reconstruction_error`.
        func errors(_ real: (Int) -> Double) -> [Double] {
            (0..<count).map { v in
                var sum = 0.0
                for i in (v * size)..<((v + 1) * size) {
                    let d = real(i) - input.scale * Double(Int32(inputs[i]) - input.zeroPoint)
                    sum += d * d
                }
                return sum / Double(size)
            }
        }
        let cErrors = errors { output.scale * Double(Int32(c[$0]) - output.zeroPoint) }
        let floatErrors = floatOutputs.map { f in errors { Double(f[$0]) } }
        func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }
        cMeanError = mean(cErrors)
        floatMeanError = floatErrors.map(mean)
        if let labels, let normal = task.normalClasses.map(Set.init) {
            let anomalous = labels.prefix(count).map { !normal.contains($0) }
            cAUC = ROCArea.of(scores: cErrors, positive: anomalous)
            floatAUC = floatErrors.flatMap { ROCArea.of(scores: $0, positive: anomalous) }
        }
        if let printed {
            var seen = [Double?](repeating: nil, count: count)
            for line in printed.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: " ")
                guard parts.count == 3, parts[0] == "reconstruction_error", let i = Int(parts[1]), seen.indices.contains(i),
                      let e = Double(parts[2]) else { continue }
                seen[i] = e
            }
            harnessAgrees = zip(seen, cErrors).allSatisfy { printed, swift in
                printed.map { abs($0 - swift) <= 1e-12 * max(1, abs(swift)) } ?? false
            }
        }
    }
}
