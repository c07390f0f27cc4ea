import Foundation
import WhittleCodegen

/// `verify --profile` on a bare-metal target: the instructions each layer of `model_invoke`
/// executes per inference, counted by the QEMU plugin in classes (`InstructionClass`), and the
/// cycles the target's `CycleTable` estimates for them. The counts are exact and add up to the
/// mark-to-mark count of the plain run; the cycles are an estimate from the core's manual
/// (README, "Estimated cycles").
public struct CycleProfile: Codable, Hashable, Sendable {
    /// One class of instructions in a part, per inference.
    public struct ClassCount: Codable, Hashable, Sendable {
        /// The class (`InstructionClass`'s raw value, e.g. "load_pipelined").
        public var name: String
        public var instructions: Int
        /// Registers moved, for the classes that move a list of them (nil for the others).
        public var registers: Int?
        public var cycles: Int
    }

    /// A layer, or model_invoke's own instructions.
    public struct Part: Codable, Hashable, Sendable {
        public var layer: String
        /// The layer's kernel (nil for the call overhead).
        public var kernel: String?
        /// Per inference: the mean over the inferences run, rounded.
        public var instructions: Int
        /// Estimated, per inference.
        public var cycles: Int
        /// Of the inference's estimated cycles, 0…1.
        public var share: Double
        /// The classes executed (those with any instruction), in `InstructionClass` order.
        public var classes: [ClassCount]
    }

    /// Where the cycle weights come from (`CycleTable.source`).
    public var timingSource: String
    public var inferences: Int
    /// The layers with a kernel call, in model order.
    public var layers: [Part]
    /// `model_invoke`'s prologue, epilogue and return, and the harness's call around it: what the
    /// mark-to-mark count holds besides the layers.
    public var callOverhead: Part
    /// Per inference, every part.
    public var instructions: Int
    public var cycles: Int
    /// Every instruction the profile run counted, over all inferences and parts.
    public var countedInstructions: Int
    /// What the plain run (`test_model`, without the profile) counted over the same inferences;
    /// the profile runs the same instructions (checked), so the two are equal.
    public var unprofiledInstructions: Int?

    /// The name `callOverhead` carries.
    public static let callOverheadName = "model_invoke call and return"

    /// Reads the plugin's profile lines ("insncount: profile #I bucket B alu=N … load_pc_registers=N",
    /// one per bucket and inference: bucket 0 the call overhead, bucket k + 1 the k-th of `layers`)
    /// and weighs them with `timing`. A class the table leaves out but the run executed is an
    /// error naming the class and the descriptor.
    public init(report: String, layers: [(name: String, kernel: String)], timing: CycleTable, target: String) throws {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: InstructionClass.allCases.count), count: layers.count + 1)
        var registers = counts
        var inferences = Set<Int>()
        for line in report.split(whereSeparator: \.isNewline) where line.hasPrefix("insncount: profile #") {
            let words = line.split(separator: " ")
            guard words.count >= 5, let inference = Int(words[2].dropFirst()), words[3] == "bucket", let bucket = Int(words[4]) else {
                throw VerifyCheckFailure("the counting plugin's profile line '\(line)' is not 'insncount: profile #I bucket B class=N …'")
            }
            guard counts.indices.contains(bucket) else {
                throw VerifyCheckFailure("the counting plugin reported bucket \(bucket), but model.c has \(layers.count) kernel calls")
            }
            inferences.insert(inference)
            for word in words.dropFirst(5) {
                let pair = word.split(separator: "=")
                guard pair.count == 2, let value = Int(pair[1]) else { continue }
                let key = String(pair[0])
                if let c = InstructionClass(rawValue: key) {
                    counts[bucket][c.index] += value
                } else if key.hasSuffix("_registers"), let c = InstructionClass(rawValue: String(key.dropLast("_registers".count))) {
                    registers[bucket][c.index] += value
                }
            }
        }
        guard !inferences.isEmpty else { throw VerifyCheckFailure("the counting plugin reported no profile (no inference between two marks)") }
        let n = Double(inferences.count)
        var parts: [(name: String, kernel: String?, classes: [ClassCount], instructions: Int, cycles: Double)] = []
        for (bucket, name) in ([Self.callOverheadName] + layers.map(\.name)).enumerated() {
            var classes: [ClassCount] = []
            var cycles = 0.0
            for c in InstructionClass.allCases where counts[bucket][c.index] > 0 {
                let executed = counts[bucket][c.index], moved = registers[bucket][c.index]
                guard let weight = timing.cycles(of: c) else {
                    throw VerifyInputError("targets/\(target).json: field 'timing.cycles' has no weight for '\(c.rawValue)', which \(bucket == 0 ? "model_invoke" : "layer '\(name)'") executed \(Int((Double(executed) / n).rounded())) times per inference")
                }
                let classCycles = weight * Double(executed) + timing.cyclesPerRegister(of: c) * Double(moved)
                cycles += classCycles
                classes.append(ClassCount(name: c.rawValue, instructions: Int((Double(executed) / n).rounded()),
                                          registers: c.movesRegisters ? Int((Double(moved) / n).rounded()) : nil,
                                          cycles: Int((classCycles / n).rounded())))
            }
            parts.append((name, bucket == 0 ? nil : layers[bucket - 1].kernel, classes, counts[bucket].reduce(0, +), cycles))
        }
        let totalCycles = parts.map(\.cycles).reduce(0, +)
        let made = parts.map {
            Part(layer: $0.name, kernel: $0.kernel, instructions: Int((Double($0.instructions) / n).rounded()),
                 cycles: Int(($0.cycles / n).rounded()), share: totalCycles > 0 ? $0.cycles / totalCycles : 0, classes: $0.classes)
        }
        timingSource = timing.source
        self.inferences = inferences.count
        callOverhead = made[0]
        self.layers = Array(made.dropFirst())
        countedInstructions = parts.map(\.instructions).reduce(0, +)
        instructions = Int((Double(countedInstructions) / n).rounded())
        cycles = Int((totalCycles / n).rounded())
    }
}

extension InstructionClass {
    /// The position in `allCases`.
    var index: Int { Self.allCases.firstIndex(of: self)! }
}
