import Foundation

/// The keys of a parsed JSON value, for checking that `--json` outputs use one key style.
enum JSONKeys {
    /// Every object key in `value` at any depth, with its path (`layers[0].flash_bytes`); the
    /// values themselves (names, paths) are not keys and are not listed.
    static func paths(in value: Any, at path: String = "") -> [(key: String, path: String)] {
        if let object = value as? [String: Any] {
            return object.keys.sorted().flatMap { key -> [(key: String, path: String)] in
                let here = path.isEmpty ? key : "\(path).\(key)"
                return [(key, here)] + paths(in: object[key]!, at: here)
            }
        }
        if let array = value as? [Any] {
            return array.enumerated().flatMap { paths(in: $1, at: "\(path)[\($0)]") }
        }
        return []
    }

    /// Lowercase words of letters and digits joined by single underscores: `flash_bytes`,
    /// `top1_agreement`, not `flashBytes`, `Flash_bytes`, `flash__bytes` or `_flash`.
    static func isSnakeCase(_ key: String) -> Bool {
        key.split(separator: "_", omittingEmptySubsequences: false).allSatisfy { word in
            !word.isEmpty && word.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        } && key.first.map { ("a"..."z").contains($0) } == true
    }
}
