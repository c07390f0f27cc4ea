/// Everything the IR knows about one kind of op, kept in the op's own file
/// (`Graph/Operations/`, `Graph/Add.swift`): its name and input count, the verifier's rules for
/// it, its work for the size limits, its line in `QGraphText` and its `.q` encoding; its
/// reference formula is in `Interpreter/ReferenceKernels.swift`. Adding an op is a struct
/// conforming to this, a case of `QOp` and its line in `QOp.operation` and `QOp.decoders`; the
/// verifier, the limits, the text, the file format and the interpreter need nothing else.
protocol QOperation: Sendable {
    /// The op's name in messages, reports and files.
    var kindName: String { get }
    /// How many inputs a node of this op reads.
    var inputCount: Int { get }
    /// The op's own rules on its node's tensors (the graph-wide ones are `GraphVerifier`'s);
    /// throws `GraphVerificationError`. Runs after the node's tensors and order are checked.
    func verify(_ node: NodeContext) throws
    /// The steps of one inference (multiply-accumulates, taps visited, elements) for the size
    /// limits, after `verify`; nil when the product overflows.
    func work(_ node: NodeContext) -> Int?
    /// The op's weights as stored, nil for an op without weights.
    var layerWeights: WeightStorage? { get }
    /// How the op's output stage rounds its multipliers: the rule TFLite's reference kernel for
    /// the op uses (`.double` unless the op says otherwise; ops without multipliers keep it).
    var requantizationRounding: RequantizationRounding { get }
    /// What `QGraphText` prints after the op's inputs (starting with a space, or empty).
    var textDetails: String { get }
    /// The op's code in `.q` files.
    var tag: UInt8 { get }
    /// The fields after the tag; `QOp.decoders[tag]` reads them back.
    func encodeFields(into w: inout BinaryWriter)
    /// The reference formula: the output's int8 values from the inputs' (`ReferenceKernels`).
    func reference(_ inputs: [[Int8]], weights: [Int8], _ node: ReferenceNode) -> [Int8]
}

extension QOperation {
    var inputCount: Int { 1 }
    var layerWeights: WeightStorage? { nil }
    var requantizationRounding: RequantizationRounding { .double }
}

/// The tensors of one node, for its reference formula.
struct ReferenceNode {
    let inputs: [QTensor]
    let output: QTensor
}

/// One node as its op's rules see it: its tensors, the graph, and where to point an error.
struct NodeContext {
    let node: QNode
    let graph: QGraph
    /// `graph.producers`, computed once for all nodes.
    let producers: [TensorID: Int]

    var input: QTensor { graph.tensors[node.inputs[0]] }
    var inputs: [QTensor] { node.inputs.map { graph.tensors[$0] } }
    var output: QTensor { graph.tensors[node.output] }
    var location: String { "node '\(node.name)' (\(node.op.kindName))" }

    /// A failure of `rule` at this node.
    func fail(_ rule: VerifierRule, _ detail: String) -> GraphVerificationError {
        GraphVerifier.fail(location, rule, detail)
    }
}
