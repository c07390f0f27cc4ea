import Foundation
import WhittleCodegen

/// What a model costs on a bare-metal target, measured by `verify`.
public struct TargetMeasurement: Codable, Hashable, Sendable {
    /// What the model adds to a firmware image: the footprint program (startup, one
    /// `model_invoke`, exit) minus the same program without the model.
    public var model: MemoryFootprint
    /// Flash: code, constants and initial data (`model.flash`).
    public var flashBytes: Int
    /// The most stack one inference used: the high-water mark on a painted stack.
    public var stackBytes: Int
    /// RAM: data and bss (arena, scratch) plus the stack used.
    public var ramBytes: Int
    public var instructions: InstructionCount?
    /// Why instructions were not counted (nil when they were).
    public var countingNote: String?
    /// Software floating-point helpers found in the model program; empty: integer only.
    public var floatHelpers: [String]

    public init(model: MemoryFootprint, stackBytes: Int, instructions: InstructionCount?, countingNote: String?, floatHelpers: [String]) {
        self.model = model
        flashBytes = model.flash
        self.stackBytes = stackBytes
        ramBytes = model.staticRAM + stackBytes
        self.instructions = instructions
        self.countingNote = countingNote
        self.floatHelpers = floatHelpers
    }
}

/// Verification on a bare-metal target: builds the test and footprint programs with the
/// target's cross compiler, runs the test program under its emulator (vectors in, outputs out
/// through semihosting, instructions counted by the plugin), and measures the footprint.
enum BareMetalRun {
    /// With `profile`, also the per-layer profile (`ProfileRun`; the target must have a timing table).
    static func run(_ harness: Harness, manifest: EmitManifest, resources: WhittleResources, limit: Int?,
                    timeout: TimeInterval, profile: Bool = false) throws -> (outputs: [Int8], measurement: TargetMeasurement, profile: CycleProfile?) {
        let target = harness.target
        let program = try harness.build("test_model")
        let withModel = try ElfFile(contentsOf: try harness.build("footprint_model"))
        let withoutModel = try ElfFile(contentsOf: try harness.build("footprint_empty"))
        let floatHelpers = IntegerOnlyCheck.floatHelpers(in: withModel)

        var runnerArguments: [String] = []
        var countingNote: String? = "instructions not counted: target '\(target.name)' names no countingPlugin"
        let report = harness.buildDirectory.appendingPathComponent("instructions.txt")
        var plugin: URL?
        if let source = target.countingPlugin {
            let built = try InstructionCount.buildPlugin(source: resources.targets.appendingPathComponent(source), into: harness.buildDirectory)
            countingNote = built.note
            plugin = built.plugin
            if let plugin {
                guard let mark = try ElfFile(contentsOf: program).address(of: "whittle_mark") else {
                    throw VerifyCheckFailure("\(program.path): no whittle_mark symbol to count instructions between")
                }
                runnerArguments = countingArguments(target, plugin: plugin, mark: mark, report: report)
            }
        }
        let outputFile = harness.buildDirectory.appendingPathComponent("outputs.bin")
        let inputs = ["vectors/inputs.bin", outputFile.path] + (limit.map { [String($0)] } ?? [])
        let vectors = limit.map { min($0, manifest.vectors.count) } ?? manifest.vectors.count
        let result = try harness.run(program, inputs, runnerArguments: runnerArguments, timeout: timeout,
                                     outputs: .init(file: outputFile, vectorBytes: manifest.output.size, vectors: vectors))
        let emulator = target.runner.first ?? "the emulator"
        guard !result.timedOut else {
            throw VerifyCheckFailure("\(harness.folder.path): test_model timed out after \(Int(timeout)) s under \(emulator) (target '\(target.name)')")
        }
        if result.status == 127 { // the startup code's fault status
            let line = result.standardOutput.split(whereSeparator: \.isNewline).first { $0.hasPrefix("whittle: fault ") }
            let fault = line.map { String($0.dropFirst("whittle: fault ".count)) } ?? "a trap"
            throw VerifyCheckFailure("\(harness.folder.path): test_model faulted under \(emulator) (\(fault)) on target '\(target.name)'")
        }
        guard result.status == 0 else {
            throw VerifyCheckFailure("\(harness.folder.path): test_model exited with status \(result.status) under \(emulator) (target '\(target.name)'): \(result.firstMessageLine)")
        }
        let expected = vectors * manifest.output.size
        let bytes = (try? Data(contentsOf: outputFile)) ?? Data()
        guard bytes.count == expected else {
            throw VerifyCheckFailure("\(harness.folder.path): test_model wrote \(bytes.count) output bytes under \(emulator), expected \(expected)")
        }
        let stack = result.standardOutput.split(whereSeparator: \.isNewline).compactMap { line -> Int? in
            line.hasPrefix("whittle: stack ") ? Int(line.dropFirst("whittle: stack ".count)) : nil
        }.first ?? 0
        var instructions: InstructionCount?
        if !runnerArguments.isEmpty {
            instructions = InstructionCount(report: (try? String(contentsOf: report, encoding: .utf8)) ?? "")
            if instructions == nil { countingNote = "instructions not counted: the plugin reported no marks" }
        }
        let measurement = TargetMeasurement(model: MemoryFootprint(withModel).subtracting(MemoryFootprint(withoutModel)),
                                            stackBytes: stack, instructions: instructions, countingNote: countingNote,
                                            floatHelpers: floatHelpers)
        var cycleProfile: CycleProfile?
        if profile {
            guard let plugin else {
                throw VerifyInputError("--profile: \(countingNote ?? "the counting plugin was not built") (target '\(target.name)')")
            }
            let profileOutputs = harness.buildDirectory.appendingPathComponent("profile-outputs.bin").path
            cycleProfile = try ProfileRun.run(harness, manifest: manifest, plain: program, unprofiled: instructions,
                                              inputs: [inputs[0], profileOutputs] + inputs.dropFirst(2),
                                              outputs: .init(file: URL(fileURLWithPath: profileOutputs), vectorBytes: manifest.output.size, vectors: vectors),
                                              timeout: timeout) { mark, report, map in
                countingArguments(target, plugin: plugin, mark: mark, report: report, profileMap: map)
            }
            guard (try? Data(contentsOf: URL(fileURLWithPath: profileOutputs))) == bytes else {
                throw VerifyCheckFailure("\(harness.folder.path): test_model_profile wrote other outputs than test_model under \(emulator) (target '\(target.name)')")
            }
        }
        return (bytes.map { Int8(bitPattern: $0) }, measurement, cycleProfile)
    }

    /// The descriptor's `countingArguments` filled in; with `profileMap`, the plugin's argument
    /// also carries `profile=MAP` (insncount.c).
    private static func countingArguments(_ target: TargetDescriptor, plugin: URL, mark: UInt32, report: URL, profileMap: URL? = nil) -> [String] {
        target.countingArguments.map {
            let filled = $0.replacingOccurrences(of: "{plugin}", with: plugin.path)
                .replacingOccurrences(of: "{mark}", with: "0x" + String(mark, radix: 16))
                .replacingOccurrences(of: "{report}", with: report.path)
            guard let profileMap, $0.contains("{plugin}") else { return filled }
            return filled + ",profile=" + profileMap.path
        }
    }

    /// The measured footprint against the target's budgets; one line naming the biggest layers.
    static func checkBudgets(_ m: TargetMeasurement, manifest: EmitManifest, target: TargetDescriptor) throws {
        do {
            let layers = manifest.layers.map { ($0.name, $0.constantBytes) }
            let codeBytes = m.model.text + m.model.data
            try BudgetCheck.check(BudgetCheck.Need(memory: "flash", bytes: m.flashBytes,
                                                   what: "code \(codeBytes) B + constants \(m.model.rodata) B, measured", layers: layers),
                                  budget: target.flashBudgetBytes, target: target.name, model: manifest.model)
            try BudgetCheck.check(BudgetCheck.Need(memory: "RAM", bytes: m.ramBytes,
                                                   what: "data and bss \(m.model.staticRAM) B + stack \(m.stackBytes) B, measured",
                                                   layers: manifest.layers.filter { $0.kernel != "alias" }.map { ($0.name, $0.outputShape.reduce(1, *)) }),
                                  budget: target.ramBudgetBytes, target: target.name, model: manifest.model)
        } catch let error as CodegenError {
            throw VerifyInputError(error.description)
        }
    }
}
