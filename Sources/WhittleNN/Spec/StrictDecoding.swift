import Foundation

/// A coding key for any field name, used to list the keys a JSON object really has.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension Decoder {
    /// Throws when the JSON object holds a field that `allowed` does not list, naming it and
    /// the fields that are allowed — so a typo in a spec is an error, not silently ignored.
    func rejectUnknownKeys(_ allowed: [String], in what: String) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [key],
                debugDescription: "unknown field '\(key.stringValue)' in \(what) (allowed: \(allowed.sorted().joined(separator: ", ")))"))
        }
    }
}

/// One number or a pair, as in PyTorch's `kernel_size=5` or `kernel_size=(5, 3)`.
public struct IntPair: Codable, Equatable, Sendable {
    public var first, second: Int
    public init(_ v: Int) { first = v; second = v }
    public init(_ a: Int, _ b: Int) { first = a; second = b }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Int.self) { self.init(v); return }
        let pair = try c.decode([Int].self)
        guard pair.count == 2 else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number or a pair [h, w], got \(pair.count) numbers")
        }
        self.init(pair[0], pair[1])
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if first == second { try c.encode(first) } else { try c.encode([first, second]) }
    }
}

/// A spec that cannot be used: one line naming the file and the field.
public struct SpecError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// Turns a Foundation decoding error into "file: field.path: what is wrong".
    init(file: String, _ error: Error) {
        func path(_ keys: [CodingKey]) -> String {
            keys.reduce("") { acc, k in
                if let i = k.intValue { return acc + "[\(i)]" }
                return acc.isEmpty ? k.stringValue : acc + "." + k.stringValue
            }
        }
        switch error as? DecodingError {
        case .dataCorrupted(let c)?:
            description = c.codingPath.isEmpty ? "\(file): not valid JSON (\(Self.underlying(c)))" : "\(file): \(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let k, let c)?:
            description = "\(file): \(path(c.codingPath + [k])): required field is missing"
        case .typeMismatch(let t, let c)?:
            description = "\(file): \(path(c.codingPath)): expected \(Self.typeName(t))"
        case .valueNotFound(let t, let c)?:
            description = "\(file): \(path(c.codingPath)): expected \(Self.typeName(t)), got null"
        default:
            description = "\(file): \(error)"
        }
    }

    private static func underlying(_ c: DecodingError.Context) -> String {
        (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? c.debugDescription
    }

    private static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(t)".lowercased()
        }
    }
}
