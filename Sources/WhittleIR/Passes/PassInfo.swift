/// One pass of the integer side, as `whittle emit --list-passes` shows it: a name for the
/// command line and one line saying what it does. The registry itself is `Pass` in
/// WhittleCodegen, which lists these IR passes among the target-aware ones.
public struct PassInfo: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// Checks or measures the graph and leaves it as it is.
        case analysis
        /// QGraph → QGraph.
        case rewrite
        /// Decides something about the graph for the C (memory, kernels).
        case plan
    }

    public let name: String
    public let kind: Kind
    public let summary: String

    public init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }
}

/// The passes that need nothing but the graph.
public enum IRPasses {
    public static let verify = PassInfo("verify", .analysis, "check every rule of a lowered graph (GraphVerifier): shapes, ranges, multipliers, sizes")
    public static let schedule = PassInfo("schedule", .rewrite,
                                          "reorder the nodes (another topological order) to lower the peak of live arena bytes (MemorySchedule)")
    public static let checkAccumulators = PassInfo("check-accumulators", .analysis,
                                                   "prove no int32 accumulator can overflow for any int8 input (AccumulatorRangeAnalysis)")
}
