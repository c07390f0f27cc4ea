/// Where each kernel call of `model_invoke` sits in a `model.c` that `ModelSourcePrinter` wrote,
/// for `verify --profile`: the debug information of a build names, for every instruction of
/// `model_invoke`, the line of model.c it comes from (for an inlined kernel, the line of its call),
/// and these ranges say which layer that line belongs to. It reads the printer's layout — each
/// node a comment line `    /* … */`, each call a block `    {` … `    }` right below its comment —
/// so it lives beside the printer, and a test holds the two together.
public enum ModelSourceLayout {
    /// The lines (1-based, comment through closing brace) of each kernel call's block, in call
    /// order; nil when `text` has no `model_invoke` in the printer's layout. Lines outside every
    /// range (the function's braces, `return 0;`, the comment of a reshape) are model_invoke's own.
    public static func callLines(in text: String) -> [ClosedRange<Int>]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("int model_invoke(") }),
              let end = lines[start...].firstIndex(of: "}") else { return nil }
        var calls: [ClosedRange<Int>] = []
        var i = start
        while i < end {
            if lines[i].hasPrefix("    /* "), lines[i + 1] == "    {" {
                guard let close = lines[(i + 1)..<end].firstIndex(of: "    }") else { return nil }
                calls.append((i + 1)...(close + 1))
                i = close
            }
            i += 1
        }
        return calls
    }
}
