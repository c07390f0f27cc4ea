/// Random int8 parameters for one conv / fully connected layer, with an output scale chosen so
/// typical outputs land inside int8 rather than all saturating.
struct RandomLayer {
    var weights: [Int8]
    var weightScales: [Double]
    var bias: [Int32]
    var output: QuantParams

    /// How the weight values are drawn.
    enum WeightStyle: CaseIterable {
        case full, small, sparse
    }

    /// `outputs × fanIn` weights; `spread` multiplies the output scale (1: outputs of about
    /// ±40 quanta; far from 1: mostly saturated or mostly zero outputs).
    /// `outputZeroPoint` nil draws one at random.
    init(outputs: Int, fanIn: Int, inputScale: Double, style: WeightStyle, spread: Double,
         outputZeroPoint: Int32? = nil, using rng: inout SeededGenerator) {
        weights = (0..<(outputs * fanIn)).map { _ in
            switch style {
            case .full: return Int8.random(in: -127...127, using: &rng)
            case .small: return Int8.random(in: -6...6, using: &rng)
            case .sparse: return Int.random(in: 0..<10, using: &rng) < 7 ? 0 : Int8.random(in: -127...127, using: &rng)
            }
        }
        let weightScales = (0..<outputs).map { _ in rng.logUniform(0.002...0.05) }
        self.weightScales = weightScales
        let typicalWeight: Double = style == .small ? 3.5 : style == .sparse ? 40 : 73
        let accumulatorSpread = Double(fanIn).squareRoot() * 74 * typicalWeight
        let meanScale = weightScales.reduce(0, +) / Double(outputs)
        let outputScale = inputScale * meanScale * accumulatorSpread / 40 * spread
        bias = (0..<outputs).map { _ in Int32.random(in: -Int32(accumulatorSpread)...Int32(accumulatorSpread), using: &rng) }
        output = QuantParams(scale: outputScale, zeroPoint: outputZeroPoint ?? Int32.random(in: -128...127, using: &rng))
    }

    /// `weights` (`[out][fanIn]`, PyTorch order) with only the `n` largest magnitudes of each
    /// group of `m` consecutive weights of a row kept; a shorter last group is left whole.
    static func pruned(_ weights: [Int8], fanIn: Int, n: Int, m: Int) -> [Int8] {
        var result = weights
        for rowStart in stride(from: 0, to: weights.count, by: fanIn) {
            for start in stride(from: rowStart, to: rowStart + fanIn - fanIn % m, by: m) {
                let order = (start..<(start + m)).sorted { weights[$0].magnitude > weights[$1].magnitude }
                for i in order.dropFirst(n) { result[i] = 0 }
            }
        }
        return result
    }
}
