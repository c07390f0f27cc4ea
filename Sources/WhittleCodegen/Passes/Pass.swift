import WhittleIR

/// Every pass `whittle emit` runs, in the order it runs them (the registry, like Swift's
/// `Passes.def`). IR passes come from `IRPasses`; the rest need the target.
public enum Pass: String, CaseIterable, Sendable {
    case verify = "verify"
    case checkAccumulators = "check-accumulators"
    case chooseSparseFormat = "choose-sparse-format"
    case foldMaxPool = "fold-max-pool"
    case schedule = "schedule"
    case planMemory = "plan-memory"
    case selectKernels = "select-kernels"

    public var info: PassInfo {
        switch self {
        case .verify: return IRPasses.verify
        case .checkAccumulators: return IRPasses.checkAccumulators
        case .chooseSparseFormat:
            return PassInfo(rawValue, .rewrite, "store each conv / fully connected layer dense, index-sparse, bitmap or N:M, whichever the target's costs favour for --optimize")
        case .foldMaxPool:
            return PassInfo(rawValue, .rewrite, "fold each max pool that tiles its conv's output into the conv's output stage, where the target's kernel can")
        case .schedule: return IRPasses.schedule
        case .planMemory:
            return PassInfo(rawValue, .plan, "place every intermediate tensor in one arena by lifetime (first fit over several orders, against the lower bound)")
        case .selectKernels:
            return PassInfo(rawValue, .plan, "pick each node's kernel for the target, lay out its tables and fill its parameters")
        }
    }

    /// Passes that change the graph: the verifier runs after each of them with `--verify-each`.
    var rewritesGraph: Bool { info.kind == .rewrite }
}
