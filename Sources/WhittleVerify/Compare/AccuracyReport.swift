/// C int8 against the float model and the labels, from the validation vectors.
public struct AccuracyReport: Codable, Hashable, Sendable {
    /// Vectors with a label (accuracies) or float logits (agreement, errors).
    public var vectors: Int
    /// Top-1 accuracy of the float model, the reference int8 and the C int8 (nil without labels
    /// or, for the float model, without float logits).
    public var floatAccuracy: Double?
    public var referenceAccuracy: Double?
    public var cAccuracy: Double?
    /// How often the C int8 picks the float model's class (nil without float logits).
    public var top1AgreementWithFloat: Double?
    /// Over every logit: |dequantized C logit − float logit|.
    public var maxAbsLogitError: Double?
    public var meanAbsLogitError: Double?

    /// `nil` when there are neither labels nor float logits.
    public init?(c: [Int8], reference: [Int8], labels: [Int32]?, floatLogits: [Float]?,
                 outputSize: Int, outputScale: Double, outputZeroPoint: Int32) {
        guard labels != nil || floatLogits != nil, outputSize > 0 else { return nil }
        let count = reference.count / outputSize
        vectors = count
        func rows<T>(_ values: [T]) -> [ArraySlice<T>] {
            (0..<count).map { values[($0 * outputSize)..<(($0 + 1) * outputSize)] }
        }
        let cClasses = rows(c).map(Self.argmax), referenceClasses = rows(reference).map(Self.argmax)
        let floatClasses = floatLogits.map { rows($0).map(Self.argmax) }
        func fraction(_ hits: Int) -> Double { count == 0 ? 0 : Double(hits) / Double(count) }
        func accuracy(_ classes: [Int]) -> Double { fraction(zip(classes, labels ?? []).filter { $0 == Int($1) }.count) }
        if labels != nil {
            cAccuracy = accuracy(cClasses)
            referenceAccuracy = accuracy(referenceClasses)
            floatAccuracy = floatClasses.map(accuracy)
        }
        if let logits = floatLogits, let floatClasses {
            top1AgreementWithFloat = fraction(zip(cClasses, floatClasses).filter { $0 == $1 }.count)
            let errors = zip(c, logits).map { q, real in
                abs(outputScale * Double(Int32(q) - outputZeroPoint) - Double(real))
            }
            maxAbsLogitError = errors.max() ?? 0
            meanAbsLogitError = errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count)
        }
    }

    /// The index of the largest value, the first on ties (as `argmax` on a device would).
    static func argmax<T: Comparable>(_ row: ArraySlice<T>) -> Int {
        var best = row.startIndex
        for i in row.indices where row[i] > row[best] { best = i }
        return best - row.startIndex
    }
}
