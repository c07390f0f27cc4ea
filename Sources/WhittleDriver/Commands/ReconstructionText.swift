import Foundation
import WhittleVerify

/// One line on an autoencoder's verified C: mean reconstruction error and anomaly AUC, C beside float.
enum ReconstructionText {
    static func line(_ r: ReconstructionReport) -> String {
        func number(_ v: Double?) -> String { v.map { String(format: "%.5f", $0) } ?? "n/a" }
        var text = "mean error C int8 \(number(r.cMeanError)), float \(number(r.floatMeanError))"
        if let classes = r.normalClasses, r.cAUC != nil || r.floatAUC != nil {
            text += "; anomaly AUC (normal classes \(classes.map(String.init).joined(separator: ", "))) C int8 \(number(r.cAUC)), float \(number(r.floatAUC))"
        }
        if let agrees = r.harnessAgrees { text += agrees ? "; the harness's printed errors agree" : "; the harness's printed errors DIFFER" }
        return text + " (\(r.vectors.grouped) vectors)"
    }
}
