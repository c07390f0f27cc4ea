import Foundation

/// One code-generation target, read from `targets/NAME.json`. Adding a board is adding a
/// descriptor (and, for a new architecture, its startup code and linker script): the fields
/// below name everything that differs between targets. targets/README.md documents each field.
///
/// ```json
/// { "name": "cortex-m4", "summary": "…", "compiler": "arm-none-eabi-gcc", "compilerPackage": "gcc-arm-none-eabi",
///   "cflags": ["-std=c99", "…", "-mcpu=cortex-m4"], "ldflags": ["-nostdlib", "…"], "sanitizerFlags": [],
///   "harness": "baremetal", "kernelVariants": ["dsp"], "arenaAlignment": 4, "channelBlock": 4,
///   "runner": ["qemu-system-arm", "-M", "mps2-an386", "…", "-kernel", "{program}", "-append", "{arguments}"],
///   "runnerPackage": "qemu-system-arm", "countingPlugin": "qemu/insncount.c",
///   "countingArguments": ["-plugin", "{plugin},mark={mark},out={report}"],
///   "startupSources": ["cortex-m/startup.c"], "linkerScript": "cortex-m/mps2.ld", "supportFiles": ["cortex-m/sections.ld"],
///   "flashBudgetBytes": 524288, "ramBudgetBytes": 131072 }
/// ```
public struct TargetDescriptor: Codable, Hashable, Sendable {
    /// Kernels a target may take in place of the generic ones.
    public enum KernelVariant: String, Codable, CaseIterable, Hashable, Sendable {
        /// ARMv7E-M's SMLAD and SXTB16: dense layers take the `_dsp` kernels (`conv2d_s8_dsp.c`,
        /// …) with their word layout of the weights.
        case dsp
        /// Sparse layers read ready column indices and taps from flash (`fc_s8_indexed.c`,
        /// `conv2d_s8_indexed.c`): more flash, nothing decoded per call (bare-metal targets).
        case indexedSparse = "indexed-sparse"

        /// Trades flash for speed: `emit --optimize size` leaves it out.
        public var growsFlash: Bool { self == .indexedSparse }
    }

    public var name: String
    public var summary: String
    /// The C compiler command, e.g. `gcc` or `arm-none-eabi-gcc`.
    public var compiler: String
    /// The Debian package that installs `compiler`, named in "compiler not found" errors.
    public var compilerPackage: String
    public var cflags: [String]
    public var ldflags: [String]
    /// Added to `cflags` for the sanitizer build; empty when the target has no sanitizers.
    public var sanitizerFlags: [String]
    /// Folder under `templates/harness/` with `Makefile.in` and the harness sources (host:
    /// `test_main.c`, `bench_main.c`; bare metal: semihosting test and footprint programs).
    public var harness: String
    /// Kernel variants the target takes in place of the generic ones (see `KernelVariant`).
    public var kernelVariants: [KernelVariant]
    /// Byte alignment of every tensor in the arena.
    public var arenaAlignment: Int
    /// The most output channels a conv / fully connected kernel computes at once (1…8): each
    /// input byte loaded then feeds that many multiply-accumulates, but each needs a register
    /// (8 suits x86-64's sixteen, 4 a Cortex-M3/M4, 2 a Cortex-M0's eight low registers).
    public var channelBlock: Int
    /// The most output pixels a sparse conv computes at once for one filter (1…8), when it
    /// differs from `channelBlock`: its inner loop holds fewer other values (on Thumb-2, 8 pixels
    /// with two taps per step fit where 4 channels of a dense conv do). Nil: `channelBlock`.
    public var pixelBlock: Int?
    /// How to run a built program: the command with `{program}` standing for it and
    /// `{arguments}` for its arguments joined by spaces (QEMU's `-append`); without
    /// `{arguments}` they follow the command. Empty: run the program directly.
    public var runner: [String]
    /// The Debian package that installs `runner[0]`, named when it is missing.
    public var runnerPackage: String?
    /// Source under `targets/` of the emulator plugin that counts executed instructions (built
    /// with the host's `cc`), or nil: the target's instructions are not counted.
    public var countingPlugin: String?
    /// Added to the runner to count: `{plugin}` is the built plugin, `{mark}` the address of
    /// `whittle_mark` (called before and after each inference), `{report}` the file it writes.
    public var countingArguments: [String]
    /// C or assembly files under `targets/` compiled into the test programs (startup code).
    public var startupSources: [String]
    /// Linker script under `targets/`, if any.
    public var linkerScript: String?
    /// Other files under `targets/` the build needs (scripts the linker script includes).
    public var supportFiles: [String]
    /// Flash and RAM of a typical part; a model over budget is refused. Nil: no limit.
    public var flashBudgetBytes: Int?
    public var ramBudgetBytes: Int?
    /// Measured instructions per call of each weight kernel (kernel name → cost), which the
    /// `choose-sparse-format` pass weighs; written by `whittle bench --kernel-costs`. Nil or a
    /// kernel missing: `KernelCost.defaults`.
    public var kernelCosts: [String: KernelCost]?
    /// Cycles per executed instruction class on this core (`CycleTable`), which `verify
    /// --profile` weighs the counted classes with. Nil: the target cannot be profiled.
    public var timing: CycleTable?

    /// A bare-metal target: programs run under an emulator, linked with the target's own
    /// startup code and linker script, and are measured (sizes, stack, instructions).
    public var isBareMetal: Bool { linkerScript != nil }

    /// Every file under `targets/` an emitted folder carries, in its `target/` folder.
    public var targetFiles: [String] { startupSources + (linkerScript.map { [$0] } ?? []) + supportFiles }

    /// The path of a target file inside an emitted folder: `target/` and its file name.
    public static func emittedPath(of targetFile: String) -> String {
        "target/" + (targetFile as NSString).lastPathComponent
    }

    /// Reads `targets/<name>.json`; an unknown name is a one-line error listing the known ones.
    public static func load(named name: String, from resources: WhittleResources) throws -> TargetDescriptor {
        let url = resources.targets.appendingPathComponent("\(name).json")
        guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else {
            let known = knownTargets(in: resources)
            throw CodegenError("unknown target '\(name)'; known targets: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        let descriptor: TargetDescriptor
        do {
            descriptor = try JSONDecoder().decode(TargetDescriptor.self, from: Data(contentsOf: url))
        } catch let DecodingError.keyNotFound(key, _) {
            throw CodegenError("\(url.path): missing field '\(key.stringValue)'")
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.first?.stringValue == "kernelVariants" {
            throw CodegenError("\(url.path): field 'kernelVariants' names an unknown variant; known: \(KernelVariant.allCases.map(\.rawValue).joined(separator: ", "))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CodegenError("\(url.path): field '\(field)' has the wrong type: \(context.debugDescription)")
        } catch {
            throw CodegenError("\(url.path): not a valid target descriptor: \(error.localizedDescription)")
        }
        // A misspelt optional field would otherwise be ignored silently.
        let fields = Set(Mirror(reflecting: descriptor).children.compactMap(\.label))
        if let object = try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] {
            if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
                throw CodegenError("\(url.path): unknown field '\(unknown)' (fields: \(fields.sorted().joined(separator: ", ")))")
            }
            let timingFields = ["cycles", "perRegister", "source"]
            if let timing = object["timing"] as? [String: Any], let unknown = timing.keys.sorted().first(where: { !timingFields.contains($0) }) {
                throw CodegenError("\(url.path): unknown field 'timing.\(unknown)' (fields: \(timingFields.joined(separator: ", ")))")
            }
        }
        try descriptor.validate(url: url, resources: resources)
        return descriptor
    }

    private func validate(url: URL, resources: WhittleResources) throws {
        func fail(_ field: String, _ problem: String) -> CodegenError {
            CodegenError("\(url.path): field '\(field)' \(problem)")
        }
        guard name == url.deletingPathExtension().lastPathComponent else {
            throw fail("name", "is '\(name)', expected '\(url.deletingPathExtension().lastPathComponent)' (the file name)")
        }
        guard arenaAlignment > 0, arenaAlignment & (arenaAlignment - 1) == 0 else {
            throw fail("arenaAlignment", "must be a power of two, is \(arenaAlignment)")
        }
        guard (1...8).contains(channelBlock) else {
            throw fail("channelBlock", "must be 1…8, is \(channelBlock)")
        }
        if let pixelBlock, !(1...8).contains(pixelBlock) {
            throw fail("pixelBlock", "must be 1…8, is \(pixelBlock)")
        }
        for (kernel, cost) in (kernelCosts ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard KernelRegistry.named(kernel) != nil else {
                throw fail("kernelCosts", "names '\(kernel)', which is no kernel (known: \(KernelRegistry.all.map(\.name).joined(separator: ", ")))")
            }
            guard cost.coefficients.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw fail("kernelCosts", "gives '\(kernel)' a negative or non-finite cost")
            }
        }
        for (field, files) in [("startupSources", startupSources), ("linkerScript", linkerScript.map { [$0] } ?? []),
                               ("supportFiles", supportFiles), ("countingPlugin", countingPlugin.map { [$0] } ?? [])] {
            for file in files where !FileManager.default.fileExists(atPath: resources.targets.appendingPathComponent(file).path) {
                throw fail(field, "names \(file), which is not in \(resources.targets.path)")
            }
        }
        let emitted = targetFiles.map(Self.emittedPath(of:))
        if let clash = emitted.first(where: { path in emitted.filter { $0 == path }.count > 1 }) {
            throw fail("startupSources", "and the linker files share the file name \(clash); rename one")
        }
        if !runner.isEmpty && !runner.contains("{program}") {
            throw fail("runner", "must contain {program}")
        }
        if let problem = timing?.problem() {
            throw CodegenError("\(url.path): field \(problem)")
        }
        if timing != nil && countingPlugin == nil {
            throw fail("timing", "needs a countingPlugin to count the instructions it weighs")
        }
        if countingPlugin != nil && !countingArguments.contains(where: { $0.contains("{plugin}") }) {
            throw fail("countingArguments", "must contain {plugin} when countingPlugin is set")
        }
        for (field, budget) in [("flashBudgetBytes", flashBudgetBytes), ("ramBudgetBytes", ramBudgetBytes)] {
            if let budget, budget <= 0 { throw fail(field, "must be positive or null, is \(budget)") }
        }
    }

    /// Names of every descriptor under `targets/`, sorted.
    public static func knownTargets(in resources: WhittleResources) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: resources.targets.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}
