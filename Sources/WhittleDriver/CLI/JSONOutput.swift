import Foundation

/// The one encoder of every `--json` output: each command describes its output as an `Encodable`
/// struct, and the keys are its property names in snake_case (`testAccuracy` → `test_accuracy`),
/// sorted, pretty-printed, paths with plain slashes. Name properties so that the conversion gives
/// the key wanted: `executedMacs`, not `executedMACs` (which gives `executed_ma_cs`).
///
/// Outputs hold no dictionaries. Foundations differ on whether `.convertToSnakeCase` rewrites the
/// keys of a `[String: X]` too (a layer `convBlock` becoming `conv_block`, the file `Makefile`
/// `makefile`), so anything named by the user or the file system is a list of entries carrying
/// the name as a value, and `encode` refuses a value that holds a dictionary anywhere.
public enum JSONOutput {
    public struct DictionaryFound: Error, CustomStringConvertible {
        public let description: String
    }

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if let path = dictionaryPath(in: value, at: String(describing: T.self)) {
            throw DictionaryFound(description: "\(path) is a dictionary; --json outputs hold arrays of named entries instead, "
                                  + "so that snake_case conversion never rewrites a name")
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Where `value` holds a dictionary (a property path), or nil.
    private static func dictionaryPath(in value: Any, at path: String) -> String? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .dictionary { return path }
        for (index, child) in mirror.children.enumerated() {
            let name = child.label.map { "\(path).\($0)" } ?? "\(path)[\(index)]"
            if let found = dictionaryPath(in: child.value, at: name) { return found }
        }
        return nil
    }
}
