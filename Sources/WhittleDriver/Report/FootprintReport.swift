import WhittleIR

/// Per-layer density, weight format, flash bytes and executed MACs beside the dense form's,
/// with totals: what `inspect MODEL.q` prints and reports with --json.
struct FootprintReport {
    let layers: [LayerFootprint]

    init(_ layers: [LayerFootprint]) { self.layers = layers }

    private func sum(_ value: (LayerFootprint) -> Int) -> Int { layers.map(value).reduce(0, +) }
    var flash: Int { sum(\.flashBytes) }
    var denseFlash: Int { sum(\.denseFlashBytes) }
    var values: Int { sum(\.valueBytes) }
    var positions: Int { sum(\.positionBytes) }
    var biases: Int { sum(\.biasBytes) }
    var multipliers: Int { sum(\.multiplierBytes) }
    var shifts: Int { sum(\.shiftBytes) }
    var executedMACs: Int { sum(\.executedMACs) }
    var denseMACs: Int { sum(\.denseMACs) }
    var nonzeros: Int { sum(\.nonzeros) }
    var weights: Int { sum(\.weights) }
    var density: Double { weights == 0 ? 1 : Double(nonzeros) / Double(weights) }
    var flashRatio: Double { denseFlash == 0 ? 1 : Double(flash) / Double(denseFlash) }
    var macRatio: Double { denseMACs == 0 ? 1 : Double(executedMACs) / Double(denseMACs) }

    var table: TextTable {
        var table = TextTable("layer", "op", "format", "density", "flash B", "dense B", "executed MACs", "dense MACs")
        for l in layers {
            table.add([l.layer, l.op, l.format.name, percent(l.density), grouped(l.flashBytes), grouped(l.denseFlashBytes),
                       grouped(l.executedMACs), grouped(l.denseMACs)])
        }
        table.add(["total", "", "", percent(density), grouped(flash),
                   grouped(denseFlash), grouped(executedMACs), grouped(denseMACs)])
        return table
    }

    var ratioLine: String {
        String(format: "vs dense: flash %.3f×, executed MACs %.3f×", flashRatio, macRatio)
            + "; flash = \(grouped(values)) B values + \(grouped(positions)) B positions + \(grouped(biases)) B biases"
            + " + \(grouped(multipliers)) B multipliers + \(grouped(shifts)) B shifts"
    }
}
