import Foundation
import WhittleCodegen

/// `verify --profile`: runs the test program once more with the counting plugin sorting every
/// instruction into its layer and class (`CycleProfile`).
///
/// Which layer an instruction belongs to comes from debug information, not from marks in the
/// code: `test_model_profile` is `test_model` built with `-g`, which changes no instruction (its
/// executable sections are compared byte for byte), and `addr2line -i` names for every address
/// of `model_invoke` the model.c line it comes from — for an inlined kernel, the line of its call —
/// which `ModelSourceLayout` places in a layer. So the profiled program is the plain program: the
/// layers add up exactly to the plain run's count. (A marker in model.c, even one `asm volatile`
/// hint instruction per layer, is a scheduling barrier to gcc: on a LeNet it changed the
/// Cortex-M4 count by 323 instructions per inference besides the markers themselves; a call to a
/// marker function changes register allocation too.)
enum ProfileRun {
    /// Bad input unless `target` can be profiled: a bare-metal target with a counting plugin and a
    /// timing table. One line naming the target and the targets that can.
    static func checkProfilable(_ target: TargetDescriptor, resources: WhittleResources) throws {
        guard target.timing == nil || !target.isBareMetal || target.countingPlugin == nil else { return }
        let able = TargetDescriptor.knownTargets(in: resources).filter {
            (try? TargetDescriptor.load(named: $0, from: resources))?.timing != nil
        }
        throw VerifyInputError("--profile: target '\(target.name)' has no timing table (field 'timing' of targets/\(target.name).json) to estimate cycles with; targets that have one: \(able.isEmpty ? "none" : able.joined(separator: ", "))")
    }

    /// Builds `test_model_profile`, checks its code is `plain`'s, maps `model_invoke` to layers
    /// and runs it under the plugin (`arguments(mark, report, map)` gives the runner's counting
    /// arguments).
    static func run(_ harness: Harness, manifest: EmitManifest, plain: URL, unprofiled: InstructionCount?, inputs: [String],
                    outputs: Harness.OutputsWritten, timeout: TimeInterval,
                    arguments: (_ mark: UInt32, _ report: URL, _ map: URL) -> [String]) throws -> CycleProfile {
        let target = harness.target
        guard let timing = target.timing else { throw VerifyInputError("target '\(target.name)' has no timing table") }
        let program = try harness.build("test_model_profile")
        let bytes = try [UInt8](Data(contentsOf: program))
        let elf = try ElfFile(bytes: bytes, path: program.path)
        try checkSameCode(elf, bytes, as: plain)

        let modelSource = harness.sourceDirectory.appendingPathComponent("model.c")
        guard let calls = ModelSourceLayout.callLines(in: (try? String(contentsOf: modelSource, encoding: .utf8)) ?? "") else {
            throw VerifyCheckFailure("\(harness.folder.path): model.c has no model_invoke as whittle emit prints it; emit the folder again to profile it")
        }
        let layers = manifest.layers.filter(\.callsKernel).map { (name: $0.name, kernel: $0.kernel) }
        guard layers.count == calls.count else {
            throw VerifyCheckFailure("\(harness.folder.path): model.c makes \(calls.count) kernel calls, whittle.json lists \(layers.count) layers with a kernel")
        }
        let map = harness.buildDirectory.appendingPathComponent("profile-map.txt")
        try Data(try layerRanges(of: program, elf: elf, calls: calls, target: target).utf8).write(to: map)
        guard let mark = elf.address(of: "whittle_mark") else {
            throw VerifyCheckFailure("\(program.path): no whittle_mark symbol to count instructions between")
        }
        let report = harness.buildDirectory.appendingPathComponent("profile.txt")
        let result = try harness.run(program, inputs, runnerArguments: arguments(mark, report, map), timeout: timeout, outputs: outputs)
        guard !result.timedOut, result.status == 0 else {
            throw VerifyCheckFailure("\(harness.folder.path): test_model_profile \(result.timedOut ? "timed out" : "exited with status \(result.status)") under \(target.runner.first ?? "the emulator") (target '\(target.name)'): \(result.firstMessageLine)")
        }
        var profile = try CycleProfile(report: (try? String(contentsOf: report, encoding: .utf8)) ?? "", layers: layers,
                                       timing: timing, target: target.name)
        profile.unprofiledInstructions = unprofiled?.total
        return profile
    }

    /// The executable sections of `elf` must hold the bytes of `plain`'s: the counts of one are
    /// then the counts of the other.
    private static func checkSameCode(_ elf: ElfFile, _ bytes: [UInt8], as plain: URL) throws {
        let plainBytes = try [UInt8](Data(contentsOf: plain))
        let plainElf = try ElfFile(bytes: plainBytes, path: plain.path)
        func code(_ elf: ElfFile, _ bytes: [UInt8]) -> [String: ArraySlice<UInt8>] {
            var sections: [String: ArraySlice<UInt8>] = [:]
            for section in elf.sections where section.isAllocated && section.isExecutable && section.offset + section.size <= bytes.count {
                sections[section.name] = bytes[section.offset..<(section.offset + section.size)]
            }
            return sections
        }
        guard code(elf, bytes) == code(plainElf, plainBytes) else {
            throw VerifyCheckFailure("\(plain.path): the program built with -g for --profile has other instructions than the plain one, so its counts would not be the plain program's")
        }
    }

    /// The plugin's map (`insncount.c`, profile=): lines "START END BUCKET" covering every
    /// `model_invoke` function (with any clone gcc made of it), bucket k + 1 for the lines of the
    /// k-th call, 0 for model_invoke's own lines (its braces, `return 0;`) and addresses without
    /// a line. gcc gives some instructions of a layer's loops model_invoke's opening line (register
    /// moves at a loop head), so a run of such addresses between two addresses of one layer is
    /// that layer's; what stays 0 is the prologue and epilogue around the layers.
    static func layerRanges(of program: URL, elf: ElfFile, calls: [ClosedRange<Int>], target: TargetDescriptor) throws -> String {
        guard target.compiler.hasSuffix("gcc") else {
            throw VerifyInputError("--profile: cannot name the addr2line of compiler '\(target.compiler)' (target '\(target.name)'); it needs a gcc whose binutils sit beside it")
        }
        let addr2line = String(target.compiler.dropLast(3)) + "addr2line"
        guard ProcessRunner.which(addr2line) != nil else {
            throw VerifyInputError("--profile: '\(addr2line)' not found on PATH (target '\(target.name)'); install the Debian package '\(target.compilerPackage)'")
        }
        let functions = elf.symbols.filter { $0.isFunction && $0.size > 0 && ($0.name == "model_invoke" || $0.name.hasPrefix("model_invoke.")) }
        guard !functions.isEmpty else { throw VerifyCheckFailure("\(program.path): no model_invoke function to profile") }
        var lines = ""
        for function in functions {
            let start = function.address & ~1
            // Every halfword: Thumb and compressed RISC-V instructions are 2 or 4 bytes long.
            let addresses = stride(from: start, to: start + UInt32(function.size), by: 2).map { "0x" + String($0, radix: 16) }
            let result = try ProcessRunner.run([addr2line, "-a", "-i", "-e", program.path] + addresses, timeout: 120)
            guard result.status == 0, !result.timedOut else {
                throw VerifyCheckFailure("\(program.path): \(addr2line) failed: \(result.firstMessageLine)")
            }
            // Per address: "0xADDR", then its inline chain innermost first; the last line is
            // model_invoke's own frame, "…/model.c:LINE" (perhaps " (discriminator N)").
            var buckets: [(address: UInt32, bucket: Int)] = []
            var address: UInt32?
            var outermost: Substring?
            func close() {
                guard let address else { return }
                var bucket = 0
                if var frame = outermost {
                    if let discriminator = frame.range(of: " (discriminator") { frame = frame[..<discriminator.lowerBound] }
                    if let file = frame.split(separator: "/").last, file.hasPrefix("model.c:"), let line = Int(file.dropFirst("model.c:".count)) {
                        bucket = calls.firstIndex { $0.contains(line) }.map { $0 + 1 } ?? 0
                    }
                }
                buckets.append((address, bucket))
            }
            for line in result.standardOutput.split(separator: "\n") {
                if line.hasPrefix("0x") {
                    close()
                    address = UInt32(line.dropFirst(2), radix: 16)
                    outermost = nil
                } else {
                    outermost = line
                }
            }
            close()
            guard buckets.count == addresses.count else {
                throw VerifyCheckFailure("\(program.path): \(addr2line) answered \(buckets.count) of \(addresses.count) addresses")
            }
            var i = 0
            while i < buckets.count {
                guard buckets[i].bucket == 0 else { i += 1; continue }
                var end = i
                while end < buckets.count && buckets[end].bucket == 0 { end += 1 }
                if i > 0, end < buckets.count, buckets[i - 1].bucket == buckets[end].bucket {
                    for j in i..<end { buckets[j].bucket = buckets[end].bucket }
                }
                i = end
            }
            var runStart = start
            for (i, entry) in buckets.enumerated() where i + 1 == buckets.count || buckets[i + 1].bucket != entry.bucket {
                let end = i + 1 == buckets.count ? start + UInt32(function.size) : buckets[i + 1].address
                lines += String(runStart, radix: 16) + " " + String(end, radix: 16) + " \(entry.bucket)\n"
                runStart = end
            }
        }
        return lines
    }
}
