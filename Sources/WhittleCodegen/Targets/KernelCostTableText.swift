import Foundation

/// Puts a measured cost table into a target descriptor's text (`whittle bench --kernel-costs
/// --write`): the descriptor's own lines stay as they are, and `kernelCosts` is replaced or
/// appended as its last field, one kernel per line in name order.
public enum KernelCostTableText {
    static let fieldStart = ",\n  \"kernelCosts\": {\n"

    public static func updating(_ descriptor: String, with costs: [String: KernelCost]) throws -> String {
        var text = descriptor
        if let start = text.range(of: fieldStart) {
            guard let end = text.range(of: "\n  }", range: start.upperBound..<text.endIndex) else {
                throw CodegenError("the descriptor's kernelCosts field is not in the layout whittle writes; remove it and measure again")
            }
            text.removeSubrange(start.lowerBound..<end.upperBound)
        }
        guard let close = text.range(of: "}", options: .backwards) else { throw CodegenError("the descriptor is not a JSON object") }
        var head = String(text[..<close.lowerBound])
        while head.last?.isWhitespace == true { head.removeLast() }
        let lines = costs.sorted { $0.key < $1.key }.map { name, cost in "    \"\(name)\": \(line(cost))" }
        let result = head + fieldStart + lines.joined(separator: ",\n") + "\n  }\n}\n"
        guard (try? JSONSerialization.jsonObject(with: Data(result.utf8))) != nil else {
            throw CodegenError("the descriptor would not stay valid JSON with its kernelCosts replaced")
        }
        return result
    }

    private static func line(_ cost: KernelCost) -> String {
        var fields = [("mac", cost.perMAC)]
        if let border = cost.perBorderMAC { fields.append(("border_mac", border)) }
        fields += [("output", cost.perOutput), ("decode", cost.perDecode), ("call", cost.perCall)]
        return "{" + fields.map { "\"\($0.0)\": \(number($0.1))" }.joined(separator: ", ") + "}"
    }

    /// Two decimals at most, no trailing zeros.
    private static func number(_ x: Double) -> String {
        let rounded = (x * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
