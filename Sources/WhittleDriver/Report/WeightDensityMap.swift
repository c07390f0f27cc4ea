import WhittleCompress
import WhittleNN

/// Where a layer's nonzero weights are: its weight matrix (one row per output channel, one
/// column per input weight, a conv's taps side by side) binned into at most `maxRows` ×
/// `maxColumns` cells, each holding the fraction of its weights that are nonzero. Drawn as an
/// image, it shows at a glance whether pruning removed whole filters, channels, kernels or
/// scattered weights.
struct WeightDensityMap {
    var layer: String
    /// The weight matrix's shape before binning.
    var outputs: Int, fanIn: Int
    var rows: Int, columns: Int
    /// Row-major, rows × columns, each 0…1.
    var cells: [Double]
    var density: Double

    static let maxRows = 48, maxColumns = 96

    init(_ layer: PrunableLayer) {
        let values = layer.weight.value.storage
        self.layer = layer.name
        (outputs, fanIn) = (layer.outputs, values.count / max(layer.outputs, 1))
        (rows, columns) = (min(outputs, Self.maxRows), min(fanIn, Self.maxColumns))
        var nonzero = [Int](repeating: 0, count: rows * columns), total = nonzero
        for o in 0..<outputs {
            let r = o * rows / outputs
            for i in 0..<fanIn {
                let cell = r * columns + i * columns / fanIn
                total[cell] += 1
                if values[o * fanIn + i] != 0 { nonzero[cell] += 1 }
            }
        }
        cells = zip(nonzero, total).map { $1 == 0 ? 0 : Double($0) / Double($1) }
        density = Double(nonzero.reduce(0, +)) / Double(max(values.count, 1))
    }

    /// Every prunable layer of `graph`, in node order.
    static func all(in graph: Graph) -> [WeightDensityMap] { PrunableLayer.all(in: graph).map(WeightDensityMap.init) }
}
