import WhittleVerify

extension VerifyCommand {
    /// `verify DIR --json`: the report's fields and whether it passed.
    struct ReportOutput: Encodable {
        var report: VerifyReport

        init(_ report: VerifyReport) { self.report = report }

        private enum Keys: String, CodingKey { case passed }

        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(report.passed, forKey: .passed)
        }
    }

    /// `verify DIR --target NAME|all --json`: one entry per target, each the target's report (as
    /// `ReportOutput`), or why it was skipped or failed.
    struct SweepOutput: Encodable {
        var folder: String
        var targets: [Target]

        struct Target: Encodable {
            var target: String
            var outcome: TargetSweep.Outcome

            private struct Skipped: Encodable {
                var target: String
                var skipped = true
                /// The Debian packages that would provide the toolchain.
                var packages: [String]
            }

            private struct Failed: Encodable {
                var target: String
                var passed = false
                var error: String
            }

            func encode(to encoder: Encoder) throws {
                switch outcome {
                case .verified(let report): try ReportOutput(report).encode(to: encoder)
                case .skipped(let packages): try Skipped(target: target, packages: packages).encode(to: encoder)
                case .failed(let message, _): try Failed(target: target, error: message).encode(to: encoder)
                }
            }
        }
    }

    /// `verify --toolchains --json`.
    struct ToolchainsOutput: Encodable {
        var available: [String]
        var skipped: [Missing]

        struct Missing: Encodable {
            var target: String
            var packages: [String]
        }
    }
}
