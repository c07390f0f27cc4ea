import WhittleIR
import WhittleVerify

extension BenchCommand {
    /// `bench --json` (with --targets-only, the target rows alone).
    struct Output: Encodable {
        /// One entry per trained model, in the order run.
        var training: [Training] = []
        var hostInference: HostInference?
        var targets: [TargetRow] = []
        /// The line naming targets skipped for a missing toolchain.
        var skipped: String?

        struct Training: Encodable {
            /// lenet, resnet8 or ds-cnn.
            var model: String
            var whittle: Run
            /// When PyTorch is installed, the same recipe in it and the ratio of samples/s.
            var pytorch: Run?
            var throughputRatio: Double?
            /// Whittle's mean test accuracy minus PyTorch's (fractions, not points).
            var accuracyDifference: Double?

            struct Run: Encodable {
                var medianSamplesPerSecond: Double
                var epochSamplesPerSecond: [Double]
                /// The mean over the seeds, and each seed's.
                var testAccuracy: Double
                var seedTestAccuracies: [Double]

                init(_ r: TrainingBenchmark.Result) {
                    (medianSamplesPerSecond, epochSamplesPerSecond) = (r.medianSamplesPerSecond, r.epochRates)
                    (testAccuracy, seedTestAccuracies) = (r.testAccuracy, r.seedAccuracies)
                }
            }
        }

        struct HostInference: Encodable {
            var nsPerInference: Double
            /// 0 without valgrind.
            var instructionsPerInference: Int
            var cInt8Accuracy: Double
            var bitExact: Bool

            init(_ i: (cost: HostCost, report: RunPipeline.Report, quantized: QGraph)) {
                (nsPerInference, instructionsPerInference) = (i.cost.nanosecondsPerInference, i.cost.instructionsPerInference ?? 0)
                (cInt8Accuracy, bitExact) = (i.report.verify.accuracy?.cAccuracy ?? 0, i.report.verify.comparison.bitExact)
            }
        }

        struct TargetRow: Encodable {
            var model: String
            var target: String
            var constantBytes: Int
            var flashBytes: Int
            var ramBytes: Int
            /// 0 when not counted.
            var instructionsPerInference: Int
            var bitExact: Bool

            init(_ r: TargetBenchmark.Row) {
                (model, target, constantBytes, flashBytes, ramBytes) = (r.model, r.target, r.constantBytes, r.flashBytes, r.ramBytes)
                (instructionsPerInference, bitExact) = (r.instructions ?? 0, r.bitExact)
            }
        }
    }
}
