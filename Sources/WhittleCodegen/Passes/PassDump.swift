import WhittleIR

/// What `--print-after PASS` shows: the graph as text, then what the memory and kernel plans
/// decided once they have run (each tensor's buffer, each node's kernel call).
enum PassDump {
    static func text(after pass: Pass, graph: QGraph, memory: MemoryPlan?, plan: EmissionPlan?) -> String {
        var text = "// after \(pass.rawValue)\n" + QGraphText.text(graph)
        if let memory, plan == nil {
            text += "// arena \(memory.arenaBytes) bytes (lower bound \(memory.lowerBoundBytes), \(memory.naiveArenaBytes) with a buffer per tensor)\n"
            for (id, placement) in memory.placements.enumerated() {
                text += "%\(id) \(placementText(placement))\n"
            }
        }
        if let plan {
            for step in plan.steps {
                text += "\(step.identifier): \(step.call?.kernel ?? "no call (an alias)")"
                if let call = step.call { text += "(\((call.inputs + [call.output]).joined(separator: ", ")))" }
                text += "\n"
            }
        }
        return text
    }

    private static func placementText(_ placement: MemoryPlan.Placement) -> String {
        switch placement {
        case .input: return "in the caller's input"
        case .output: return "in the caller's output"
        case .arena(let offset): return "at arena + \(offset)"
        }
    }
}
