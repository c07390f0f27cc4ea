/// A model against its target's flash and RAM budgets (`flashBudgetBytes`, `ramBudgetBytes`).
/// `emit` checks what it knows before writing (constant tables, arena and scratch), `verify`
/// what it measured (code included, and the stack); both fail with one line that names the
/// biggest layers, the ones to prune or shrink.
public enum BudgetCheck {
    /// What a model needs from one budget, and the layers that need the most of it.
    public struct Need: Sendable {
        /// "flash" or "RAM".
        public var memory: String
        public var bytes: Int
        /// How the bytes are made up, e.g. "constant tables".
        public var what: String
        /// Layer names with their bytes, largest first.
        public var layers: [(name: String, bytes: Int)]

        public init(memory: String, bytes: Int, what: String, layers: [(name: String, bytes: Int)]) {
            self.memory = memory
            self.bytes = bytes
            self.what = what
            self.layers = layers.filter { $0.bytes > 0 }.sorted { $0.bytes > $1.bytes }
        }
    }

    /// The flash need known at emission: the constant tables, per layer.
    public static func flash(_ layers: [LayerReport], constantBytes: Int) -> Need {
        Need(memory: "flash", bytes: constantBytes, what: "constant tables", layers: layers.map { ($0.name, $0.constantBytes) })
    }

    /// The RAM need known at emission: the arena and the sparse kernels' scratch; a layer's
    /// share is the activation it writes (input, output and the largest activations live at once).
    public static func ram(_ layers: [LayerReport], arenaBytes: Int, scratchBytes: Int) -> Need {
        Need(memory: "RAM", bytes: arenaBytes + scratchBytes, what: "arena \(arenaBytes.grouped) B + scratch \(scratchBytes.grouped) B",
             layers: layers.filter { $0.kernel != "alias" && $0.kernel != "fused" }.map { ($0.name, $0.outputShape.reduce(1, *)) })
    }

    /// Throws when `need` exceeds `budget` (nil: no limit).
    public static func check(_ need: Need, budget: Int?, target: String, model: String) throws {
        guard let budget, need.bytes > budget else { return }
        let field = need.memory == "flash" ? "flashBudgetBytes" : "ramBudgetBytes"
        let biggest = need.layers.prefix(3).map { "\($0.name) \($0.bytes.grouped) B" }.joined(separator: ", ")
        throw CodegenError("\(model) needs \(need.bytes.grouped) B of \(need.memory) (\(need.what)) but target '\(target)' has \(budget.grouped) B (targets/\(target).json \(field))"
                           + (biggest.isEmpty ? "" : "; the biggest layers: \(biggest) — prune or shrink them, or choose a larger target"))
    }
}

extension Int {
    /// Thousands separated by commas: 1234567 → "1,234,567".
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
