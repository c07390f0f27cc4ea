/// Least squares with every coefficient ≥ 0, for a handful of unknowns: each subset of the
/// columns is solved by the normal equations and the best fit whose coefficients are all
/// non-negative wins (2^k small systems; exact for the k ≤ 6 of a kernel cost).
public enum CostFit {
    /// The coefficients `c` (one per column, ≥ 0) minimizing Σ (rows[i]·c − targets[i])².
    public static func nonNegative(rows: [[Double]], targets: [Double]) -> [Double] {
        let columns = rows.first?.count ?? 0
        var best = [Double](repeating: 0, count: columns)
        var bestResidual = residual(rows, targets, best)
        for mask in 1..<(1 << columns) {
            let kept = (0..<columns).filter { mask & (1 << $0) != 0 }
            guard let solution = leastSquares(rows.map { row in kept.map { row[$0] } }, targets), solution.allSatisfy({ $0 >= 0 }) else { continue }
            var full = [Double](repeating: 0, count: columns)
            for (i, column) in kept.enumerated() { full[column] = solution[i] }
            let r = residual(rows, targets, full)
            if r < bestResidual - 1e-9 { (best, bestResidual) = (full, r) }
        }
        return best
    }

    static func residual(_ rows: [[Double]], _ targets: [Double], _ c: [Double]) -> Double {
        zip(rows, targets).map { row, t in
            let e = zip(row, c).map(*).reduce(0, +) - t
            return e * e
        }.reduce(0, +)
    }

    /// Ordinary least squares by the normal equations (Gaussian elimination with partial
    /// pivoting); nil when the columns are dependent.
    private static func leastSquares(_ rows: [[Double]], _ targets: [Double]) -> [Double]? {
        let n = rows.first?.count ?? 0
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for (row, t) in zip(rows, targets) {
            for i in 0..<n {
                for j in 0..<n { a[i][j] += row[i] * row[j] }
                a[i][n] += row[i] * t
            }
        }
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-9 * max(1, abs(a[col][col])) else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<n where r != col {
                let f = a[r][col] / a[col][col]
                for k in col...n { a[r][k] -= f * a[col][k] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }
}
