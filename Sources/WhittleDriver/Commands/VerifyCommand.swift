import Foundation
import WhittleCodegen
import WhittleNN
import WhittleVerify

/// `whittle verify DIR [--target T|all]`: build an emitted folder, run it (natively or under an
/// emulator), and prove it matches the reference.
enum VerifyCommand: Command {
    static let name = "verify"
    static let summary = "build emitted C, run it (host or emulated MCU), require bit-exact outputs, measure"
    static let help = Help(
        usage: ["whittle verify DIR [--target NAME|all] [--vectors N] [--timeout S] [--json] [--bench] [--profile]",
                "               [--no-sanitize] [--sanitizer-vectors N] [--allow-modified]",
                "whittle verify --toolchains"],
        description: """
        Trusts nothing in DIR (written by whittle emit) but the model's C: it first checks every
        file against the SHA-256 that whittle.json records and fails, naming them, on files changed,
        missing or added since emission. It builds the model's C (model.h, model.c,
        model_weights.c, kernels/) with whittle's own harness, Makefile and flags for the target,
        never DIR's, runs the test vectors, and requires every output byte to equal the Swift
        reference interpreter's outputs for DIR's whittle.q (computed now, not read from
        vectors/expected.bin). On the host it builds once more with the sanitizers and runs a
        subset. On a bare-metal target (cortex-m0, cortex-m3, cortex-m4, cortex-m7, rv32imac) it
        cross-compiles a semihosting harness, runs it under QEMU, and reports the model's flash
        (code + constants + data), RAM (data + bss + the stack high-water mark) and the
        instructions executed per inference (counted by a QEMU plugin between two marks); the
        model's ELF must hold no software floating-point helper, and flash and RAM must fit the
        target's budgets. With labelled vectors it reports float, reference int8 and C int8 accuracy.
        """,
        options: [
            ("--target NAME|all", """
                verify on another target (DIR's model is emitted again for it, with the same
                vectors) or on every target in targets/; targets whose toolchain is missing are
                skipped with the packages to install
                """),
            ("--vectors N", "run only the first N vectors"),
            ("--timeout S", "seconds one run may take (default: 600)"),
            ("--json", "print one JSON object on stdout"),
            ("--bench", "host: also measure ns and instructions (callgrind) per inference"),
            ("--profile", """
                bare metal: per layer, the instructions executed, an estimate of the cycles from
                the target's timing table (its technical reference manual's instruction timings:
                no wait states, caches or bus contention) and the share of the total; with
                --target all, the targets that have a timing table
                """),
            ("--no-sanitize", "skip the sanitizer build"),
            ("--sanitizer-vectors N", "vectors run under the sanitizers (default: 64)"),
            ("--allow-modified", """
                go on when files changed since emission (e.g. a hand-edited model.c), noting
                them; the verdict still comes from whittle's own harness and whittle.q's
                reference outputs
                """),
            ("--toolchains", "print which targets this machine can verify, and the Debian packages the others need"),
        ],
        exitCodes: [(0, "verified"),
                    (1, """
                        a check failed: files changed since emission, a mismatch, a sanitizer report,
                        a float helper, a fault or timeout under the emulator, C that does not build
                        warning-free
                        """),
                    (2, """
                        bad input: not an emitted folder, a bad whittle.json field, an unknown target,
                        a toolchain not installed, a model over a target's budget
                        """)])

    static func run(_ args: inout Arguments) throws -> Int32 {
        let toolchains = args.flag("--toolchains")
        let targetName = try args.option("--target")
        let vectors = try args.int("--vectors")
        let timeout = try args.double("--timeout") ?? 600
        let json = args.flag("--json")
        let bench = args.flag("--bench")
        let profile = args.flag("--profile")
        let noSanitize = args.flag("--no-sanitize")
        let sanitizerVectors = try args.int("--sanitizer-vectors") ?? 64
        let allowModified = args.flag("--allow-modified")
        let folderPath = toolchains ? nil : try args.positional("DIR")
        try args.finish()
        guard sanitizerVectors >= 1 else { throw UsageError(name, "--sanitizer-vectors must be at least 1") }
        if let vectors, vectors < 1 { throw UsageError(name, "--vectors must be at least 1") }
        guard timeout > 0 else { throw UsageError(name, "--timeout must be positive") }

        let resources = try WhittleResources.locate()
        guard let folderPath else { return try printToolchains(resources, json: json) }
        let folder = URL(fileURLWithPath: folderPath)
        let progress = ProgressLine(quiet: json)
        let options = VerifyOptions(sanitize: !noSanitize, sanitizerVectors: sanitizerVectors, measureCost: bench,
                                    vectorLimit: vectors, timeout: timeout, allowModified: allowModified, profile: profile,
                                    progress: { progress.update("verify: " + $0, force: true) })
        guard let targetName else {
            let report: VerifyReport
            do {
                report = try FolderVerifier.verify(folder: folder, resources: resources, options: options)
            } catch let failure as VerifyCheckFailure {
                throw CheckFailed(description: failure.description)
            }
            progress.clear()
            if json { try Console.json(ReportOutput(report)) } else { print(text(report)) }
            if let failure = report.failure { throw CheckFailed(description: "\(folderPath): \(failure)") }
            return 0
        }
        let names = targetName == "all" ? TargetDescriptor.knownTargets(in: resources) : [targetName]
        let targets = try names.map { try TargetDescriptor.load(named: $0, from: resources) }
        if targetName != "all", let missing = Toolchain.missing(for: targets[0]).first {
            throw VerifyInputError("\(missing.description) for target '\(targetName)' not found on PATH; install the Debian package '\(missing.package)'")
        }
        let results: [(target: String, outcome: TargetSweep.Outcome)]
        do {
            results = try TargetSweep.verify(folder, on: targets, resources: resources, options: options)
        } catch let failure as VerifyCheckFailure {
            throw CheckFailed(description: failure.description)
        }
        progress.clear()
        if json {
            try Console.json(SweepOutput(folder: folder.path, targets: results.map { .init(target: $0.target, outcome: $0.outcome) }))
        } else {
            print(sweepText(results, folder: folderPath, profile: profile))
        }
        return try verdict(results, folder: folderPath)
    }

    /// Exit 0 when every target verified passed; otherwise one line naming the failures
    /// (exit 2 when any was bad input, else 1).
    private static func verdict(_ results: [(target: String, outcome: TargetSweep.Outcome)], folder: String) throws -> Int32 {
        var failures: [String] = [], badInput = false
        for (target, outcome) in results {
            switch outcome {
            case .verified(let report):
                if let failure = report.failure { failures.append("\(target): \(failure)") }
            case .failed(let message, let isBadInput):
                failures.append(results.count == 1 ? message : "\(target): \(message)")
                badInput = badInput || isBadInput
            case .skipped:
                break
            }
        }
        guard !failures.isEmpty else { return 0 }
        let line = failures.count == 1 ? failures[0] : "\(failures.count) targets failed: " + failures.joined(separator: "; ")
        if badInput { throw VerifyInputError(line) }
        throw CheckFailed(description: line)
    }

    private static func printToolchains(_ resources: WhittleResources, json: Bool) throws -> Int32 {
        let targets = try TargetDescriptor.knownTargets(in: resources).map { try TargetDescriptor.load(named: $0, from: resources) }
        let (available, skipped) = Toolchain.availability(of: targets)
        if json {
            try Console.json(ToolchainsOutput(available: available, skipped: skipped.map { .init(target: $0.target, packages: $0.packages) }))
        } else {
            print(Toolchain.skippedLine(skipped) ?? "cross-target verification available for every target: \(available.joined(separator: ", "))")
        }
        return 0
    }

    private static func sweepText(_ results: [(target: String, outcome: TargetSweep.Outcome)], folder: String, profile: Bool) -> String {
        // Accuracy of the C on the labelled vectors each target ran (the same on every target when
        // it is bit-exact: it is shown so the table alone says what the model does).
        let labelled = results.contains { if case .verified(let r) = $0.outcome { return r.accuracy?.cAccuracy != nil }; return false }
        var table = TextTable(["target", "C vs reference", "flash B", "RAM B", "stack B", "instructions / inference", "integer only"]
                              + (labelled ? ["C int8 accuracy"] : []))
        var notes: [String] = []
        func row(_ cells: [String], _ accuracy: String = "") { table.add(cells + (labelled ? [accuracy] : [])) }
        for (target, outcome) in results {
            switch outcome {
            case .verified(let r):
                let c = r.comparison
                var exact = c.bitExact ? "bit-exact (\(c.vectors))" : "MISMATCH \(c.mismatchedVectors)/\(c.vectors)"
                if let e = r.expectedComparison {
                    exact += e.bitExact ? ", = expected" : ", EXPECTED MISMATCH \(e.mismatchedVectors)/\(e.vectors)"
                }
                let accuracy = r.accuracy.flatMap { a in a.cAccuracy.map { "\(percent($0)) (\(a.vectors.grouped))" } } ?? ""
                if let m = r.measurement {
                    row([target, exact, m.flashBytes.grouped, m.ramBytes.grouped, m.stackBytes.grouped,
                         m.instructions.map { $0.perInference.grouped } ?? "not counted",
                         m.floatHelpers.isEmpty ? "yes" : "NO"], accuracy)
                } else {
                    let instructions = r.cost?.instructionsPerInference.map { $0.grouped } ?? ""
                    row([target, exact, "", (r.arenaBytes + r.scratchBytes).grouped, "", instructions, ""], accuracy)
                }
            case .skipped(let packages):
                row([target, "skipped", "", "", "", "", ""])
                notes.append("  \(target): install \(packages.joined(separator: " "))")
            case .failed(let message, _):
                row([target, "FAILED", "", "", "", "", ""])
                notes.append("  \(target): \(message)")
            }
        }
        let modified = results.lazy.compactMap { result -> FolderIntegrity? in
            if case .verified(let report) = result.outcome { return report.modifiedFiles }
            return nil
        }.first
        if let modified { notes.insert("  note: files changed since emission (\(modified.summary)); verified with whittle's own harness", at: 0) }
        var profiles: [String] = []
        for case (let target, .verified(let report)) in results where profile {
            if let p = report.profile {
                profiles += [""] + profileText(p, target: target)
            } else {
                notes.append("  \(target): not profiled (no timing table)")
            }
        }
        return (["verify \(folder) on \(results.count) target\(results.count == 1 ? "" : "s")", table.rendered] + notes + profiles)
            .joined(separator: "\n")
    }

    /// `--profile`: a row per layer, the call overhead and the total, per inference.
    private static func profileText(_ p: CycleProfile, target: String) -> [String] {
        var table = TextTable("layer", "kernel", "instructions", "est. cycles", "cycles / instr.", "share")
        func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
        func ratio(_ cycles: Int, _ instructions: Int) -> String { instructions > 0 ? String(format: "%.2f", Double(cycles) / Double(instructions)) : "" }
        for part in p.layers + [p.callOverhead] {
            table.add([part.layer, part.kernel ?? "", part.instructions.grouped, part.cycles.grouped,
                       ratio(part.cycles, part.instructions), percent(part.share)])
        }
        table.add(["total", "", p.instructions.grouped, p.cycles.grouped, ratio(p.cycles, p.instructions), percent(1)])
        var lines = ["profile on \(target), per inference (mean of \(p.inferences)); cycles are an estimate from the target's timing table:"]
        lines += table.rendered.split(separator: "\n").map { "  " + $0 }
        lines.append("  timing: \(p.timingSource)")
        if let plain = p.unprofiledInstructions {
            lines.append(plain == p.countedInstructions
                ? "  the parts add up to the plain run's count exactly (\(plain.grouped) instructions over \(p.inferences) inference\(p.inferences == 1 ? "" : "s"))"
                : "  NOTE: the parts add up to \(p.countedInstructions.grouped) instructions, the plain run counted \(plain.grouped)")
        }
        return lines
    }

    static func text(_ r: VerifyReport) -> String {
        let c = r.comparison
        var lines = ["verify \(r.folder) (\(r.model), target \(r.target))"]
        if let modified = r.modifiedFiles {
            lines.append("  modified files   NOTE: \(modified.summary) (--allow-modified: built with whittle's own harness, checked against whittle.q)")
        }
        if let first = c.firstMismatch {
            lines.append("  C vs reference   MISMATCH: \(c.mismatchedBytes.grouped) bytes in \(c.mismatchedVectors.grouped) of \(c.vectors.grouped) vectors; first at \(first)")
        } else {
            lines.append("  C vs reference   bit-exact on \(c.vectors.grouped) vectors")
        }
        if let e = r.expectedComparison {
            lines.append("  C vs expected    " + (e.firstMismatch.map {
                "MISMATCH: \(e.mismatchedBytes.grouped) bytes in \(e.mismatchedVectors.grouped) of \(e.vectors.grouped) vectors; first at \($0)"
            } ?? "equal on \(e.vectors.grouped) vectors (the outputs given at import)"))
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
        if let e = r.reconstruction {
            lines.append("  reconstruction   " + ReconstructionText.line(e))
        }
        if r.measurement == nil {
            lines.append("  RAM              \((r.arenaBytes + r.scratchBytes).grouped) B (arena \(r.arenaBytes.grouped) + kernel scratch \(r.scratchBytes.grouped)), constants \(r.constantBytes.grouped) B")
        }
        if let m = r.measurement {
            let f = m.model
            lines.append("  flash            \(m.flashBytes.grouped) B (code \(f.text.grouped) + constants \(f.rodata.grouped) + data \(f.data.grouped))")
            lines.append("  RAM              \(m.ramBytes.grouped) B (data \(f.data.grouped) + bss \(f.bss.grouped) + stack \(m.stackBytes.grouped))")
            if let i = m.instructions {
                let spread = i.fewest == i.most ? "" : " (\(i.fewest.grouped)–\(i.most.grouped))"
                lines.append("  instructions     \(i.perInference.grouped) per inference\(spread), counted on \(i.inferences.grouped)")
            } else if let note = m.countingNote {
                lines.append("  instructions     \(note)")
            }
            lines.append("  integer only     " + (m.floatHelpers.isEmpty ? "yes: no software floating-point helper in the ELF"
                                                                         : "NO: \(m.floatHelpers.joined(separator: ", "))"))
        }
        if let cost = r.cost {
            let instructions = cost.instructionsPerInference.map { "\($0.grouped) instructions" } ?? "instructions n/a (no valgrind)"
            lines.append("  host cost        \(Int(cost.nanosecondsPerInference.rounded()).grouped) ns, \(instructions) per inference")
        }
        if let profile = r.profile { lines += [""] + profileText(profile, target: r.target) }
        return lines.joined(separator: "\n")
    }
}
