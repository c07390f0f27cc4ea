import WhittleIR

/// The rank each graph tensor gets in TFLite. A QGraph shape is H×W×C; TFLite's is `[1, H, W, C]`
/// or, for a 1×1×C tensor, also `[1, C]` (the importer reads both as 1×1×C). Convolutions, pools
/// and MEAN read and write rank 4; FULLY_CONNECTED writes `[1, N]` unless `keep_num_dims` keeps
/// its input's rank (possible when the input is a 1×1×K vector), and MEAN without `keep_dims`
/// writes `[1, C]`; ADD, SOFTMAX and PAD keep their inputs' rank. So the tensors joined by those
/// ops share one rank: 4 when any of them needs it (a spatial tensor, a conv's input or output, a
/// spatially padded one), else 2, the usual shape of a vector. A tensor that an operator can only
/// write as `[1, C]` but whose readers need rank 4 gets a RESHAPE after it, which the importer
/// absorbs again.
struct TensorRanks {
    /// The rank each tensor's producer (or the model input) writes.
    private(set) var written: [Int]
    /// The rank its readers read.
    private(set) var read: [Int]

    init(_ graph: QGraph) {
        var classes = UnionFind(count: graph.tensors.count)
        var needsFour = Set<Int>()   // tensors whose class must be rank 4
        var writesTwo = Set<Int>()   // tensors their producer can only write as [1, C]
        func spatial(_ id: TensorID) -> Bool { let s = graph.tensors[id].shape; return s.height != 1 || s.width != 1 }
        for id in graph.tensors.indices where spatial(id) { needsFour.insert(id) }
        for node in graph.nodes {
            let (input, output) = (node.inputs[0], node.output)
            switch node.op {
            case .conv2d, .maxPool, .averagePool:
                needsFour.formUnion([input, output])
            case .mean(let mean):
                needsFour.insert(input)
                if mean.keepDims { needsFour.insert(output) } else { writesTwo.insert(output) }
            case .fullyConnected:
                if spatial(input) { writesTwo.insert(output) } else { classes.union(input, output) }
            case .add:
                for other in node.inputs { classes.union(other, output) }
            case .softmax:
                classes.union(input, output)
            case .pad(let pad):
                classes.union(input, output)
                if pad.top + pad.bottom + pad.left + pad.right > 0 { needsFour.insert(input) }
            case .reshape:
                break
            }
        }
        let fourClasses = Set(needsFour.map { classes.find($0) })
        let ranks = graph.tensors.indices.map { fourClasses.contains(classes.find($0)) ? 4 : 2 }
        read = ranks
        written = graph.tensors.indices.map { writesTwo.contains($0) ? 2 : ranks[$0] }
    }

    /// TFLite's shape of a tensor of `shape` at `rank` (2 only for a 1×1×C shape).
    static func dimensions(_ shape: TensorShape, rank: Int) -> [Int] {
        rank == 4 ? [1, shape.height, shape.width, shape.channels] : [1, shape.channels]
    }
}

/// Disjoint sets of tensor ids with path halving.
private struct UnionFind {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (find(a), find(b))
        if ra != rb { parent[ra] = rb }
    }
}
