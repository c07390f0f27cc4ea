import Foundation
import WhittleCodegen
import WhittleVerify

/// `whittle verify DIR`: build an emitted folder, run it, and prove it matches the reference.
enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "build emitted C, run it, require bit-exact outputs, compare with float"
    static let usage = """
    usage: whittle verify DIR [--json] [--bench] [--no-sanitize] [--sanitizer-vectors N]

    Builds DIR (written by whittle emit) with its target's compiler and flags through its
    Makefile, runs every test vector, and requires every output byte to equal the Swift
    reference interpreter's. Builds once more with the target's sanitizers and runs a subset.
    When the vectors carry labels and float logits, reports the accuracy of the float model,
    the reference int8 and the C int8, their top-1 agreement and the logit errors.

    options:
      --json                   print one JSON object on stdout
      --bench                  also measure host ns and instructions (callgrind) per inference
      --no-sanitize            skip the sanitizer build
      --sanitizer-vectors N    vectors run under the sanitizers (default: 64)

    exit: 0 verified, 1 a check failed (mismatch, sanitizer report, C that does not build
    warning-free), 2 bad input (not an emitted folder, compiler not installed).
    """

    static func run(_ args: inout Arguments) throws -> Int32 {
        let folderPath = try args.positional("DIR")
        let json = args.flag("--json")
        let bench = args.flag("--bench")
        let noSanitize = args.flag("--no-sanitize")
        let sanitizerVectors = try args.int("--sanitizer-vectors") ?? 64
        try args.finish()
        guard sanitizerVectors >= 1 else { throw UsageError(name, "--sanitizer-vectors must be at least 1") }

        let resources = try WhittleResources.locate()
        let options = VerifyOptions(sanitize: !noSanitize, sanitizerVectors: sanitizerVectors, measureCost: bench)
        let report: VerifyReport
        do {
            report = try FolderVerifier.verify(folder: URL(fileURLWithPath: folderPath), resources: resources, options: options)
        } catch let failure as VerifyCheckFailure {
            throw CheckFailed(description: failure.description)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(report)) as? [String: Any] ?? [:]
            object["passed"] = report.passed
            try Console.json(object)
        } else {
            print(text(report))
        }
        guard report.passed else {
            let reason = report.comparison.firstMismatch.map { "C differs from the reference at \($0)" }
                ?? "sanitizer build failed: \(report.sanitizer?.report ?? "")"
            throw CheckFailed(description: "\(folderPath): \(reason)")
        }
        return 0
    }

    private static func text(_ r: VerifyReport) -> String {
        let c = r.comparison
        var lines = ["verify \(r.folder) (\(r.model), target \(r.target))"]
        if let first = c.firstMismatch {
            lines.append("  C vs reference   MISMATCH: \(c.mismatchedBytes.grouped) bytes in \(c.mismatchedVectors.grouped) of \(c.vectors.grouped) vectors; first at \(first)")
        } else {
            lines.append("  C vs reference   bit-exact on \(c.vectors.grouped) vectors")
        }
        if let s = r.sanitizer {
            lines.append("  sanitizers       " + (s.passed ? "clean on \(s.vectors) vectors" : "FAILED: \(s.report ?? "")"))
        }
        if let a = r.accuracy {
            func percent(_ v: Double?) -> String { v.map { String(format: "%.2f %%", $0 * 100) } ?? "n/a" }
            if a.cAccuracy != nil {
                lines.append("  accuracy         float \(percent(a.floatAccuracy))   reference int8 \(percent(a.referenceAccuracy))   C int8 \(percent(a.cAccuracy))   (\(a.vectors.grouped) labelled)")
            }
            if let agreement = a.top1AgreementWithFloat {
                lines.append("  C vs float       top-1 agreement \(percent(agreement)), |logit error| max \(String(format: "%.4f", a.maxAbsLogitError ?? 0)), mean \(String(format: "%.4f", a.meanAbsLogitError ?? 0))")
            }
        }
        lines.append("  memory           arena \(r.arenaBytes.grouped) B, constants \(r.constantBytes.grouped) B")
        if let cost = r.cost {
            let instructions = cost.instructionsPerInference.map { "\($0.grouped) instructions" } ?? "instructions n/a (no valgrind)"
            lines.append("  host cost        \(Int(cost.nanosecondsPerInference.rounded()).grouped) ns, \(instructions) per inference")
        }
        return lines.joined(separator: "\n")
    }
}
