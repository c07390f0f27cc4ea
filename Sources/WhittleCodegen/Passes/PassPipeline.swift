import WhittleIR

/// What `emit` asks of the passes besides the graph and the target.
public struct PassOptions: Hashable, Sendable {
    /// Whose weight formats the C runs: the `choose-sparse-format` pass's for this target and
    /// objective, or the ones the graph stores (to compare formats, or to test a given kernel).
    public enum WeightFormats: String, CaseIterable, Hashable, Sendable {
        case chosen, stored
    }

    /// Runs the verifier after every pass that rewrites the graph, not only once before printing.
    public var verifyEach: Bool
    /// Passes after which the graph (and what has been planned) is shown.
    public var printAfter: Set<Pass>
    /// What the format choice and the kernel variants favour (`emit --optimize`).
    public var objective: SparseFormatChoice.Objective
    public var weightFormats: WeightFormats

    public init(verifyEach: Bool = false, printAfter: Set<Pass> = [], objective: SparseFormatChoice.Objective = .speed,
                weightFormats: WeightFormats = .chosen) {
        self.verifyEach = verifyEach
        self.printAfter = printAfter
        self.objective = objective
        self.weightFormats = weightFormats
    }

    /// The graph's own formats, checked after every rewrite: what kernel tests emit with.
    public static let stored = PassOptions(verifyEach: true, weightFormats: .stored)
}

/// Runs `Pass.allCases` in order on a graph for one target: checks, rewrites, then the memory
/// and kernel plans the printer prints. The verifier always runs on the final graph before
/// anything is printed; a rewrite that broke a rule is named.
enum PassPipeline {
    struct Result {
        var graph: QGraph
        var plan: EmissionPlan
        /// The text shown after each pass of `printAfter`, in pass order.
        var printed: [(pass: Pass, text: String)]
    }

    static func run(_ input: QGraph, target: TargetDescriptor, options: PassOptions) throws -> Result {
        let profile = KernelProfile(target: target, objective: options.objective)
        var graph = input
        var bounds: [AccumulatorBound] = []
        var memory: MemoryPlan?
        var plan: EmissionPlan?
        var printed: [(pass: Pass, text: String)] = []
        for pass in Pass.allCases {
            switch pass {
            case .verify:
                try GraphVerifier.verify(graph)
            case .checkAccumulators:
                bounds = try AccumulatorRangeAnalysis.check(graph)
                for node in graph.nodes {
                    if case .conv2d(let conv) = node.op {
                        try Conv2DLowering.checkTapReach(conv, name: node.name, input: graph.tensors[node.inputs[0]].shape)
                    }
                }
            case .chooseSparseFormat:
                if options.weightFormats == .chosen {
                    graph = try SparseFormatChoice.apply(graph, target: target, objective: options.objective).graph
                }
            case .foldMaxPool:
                graph = MaxPoolFolding.apply(graph, profile: profile)
            case .schedule:
                graph = MemorySchedule.reordered(graph)
            case .planMemory:
                try GraphVerifier.verify(graph) // always, once, before anything is planned for printing
                memory = MemoryPlanner.plan(graph, alignment: target.arenaAlignment)
            case .selectKernels:
                plan = KernelPlanner.plan(graph, memory: memory!, bounds: bounds, profile: profile)
            }
            if options.verifyEach && pass.rewritesGraph {
                do {
                    try GraphVerifier.verify(graph)
                } catch let error as GraphVerificationError {
                    throw CodegenError("after pass \(pass.rawValue): \(error)")
                }
            }
            if options.printAfter.contains(pass) {
                printed.append((pass, PassDump.text(after: pass, graph: graph, memory: memory, plan: plan)))
            }
        }
        return Result(graph: graph, plan: plan!, printed: printed)
    }
}
