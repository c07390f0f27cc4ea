/// The area under the ROC curve of a score that should be higher for positives (anomalies):
/// the probability that a random positive scores above a random negative, ties counting one
/// half (the Mann–Whitney U statistic over positives × negatives, as scikit-learn's
/// roc_auc_score computes it). 1 separates perfectly, 0.5 is chance.
///
///     scores   0.1  0.4  0.35  0.8      positives: 0.35, 0.8   negatives: 0.1, 0.4
///     pairs    (0.35 > 0.1) (0.35 < 0.4) (0.8 > 0.1) (0.8 > 0.4)  →  3 of 4  →  0.75
public enum ROCArea {
    /// nil when either class is absent (the area is undefined).
    public static func of(scores: [Double], positive: [Bool]) -> Double? {
        precondition(scores.count == positive.count)
        let positives = positive.filter { $0 }.count, negatives = scores.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Rank the scores (ties share their mean rank); U = Σ positive ranks − P(P+1)/2.
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let meanRank = Double(start + end) / 2 + 1
            for i in start...end where positive[order[i]] { rankSum += meanRank }
            start = end + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }
}
