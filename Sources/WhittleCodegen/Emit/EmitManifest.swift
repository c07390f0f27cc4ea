import Foundation
import WhittleIR

/// `whittle.json` in an emitted folder: what `verify` and reports need to know about the model
/// without reading the `.q` file again, and the SHA-256 of every other file the folder was
/// emitted with. Written with sorted keys, so it is reproducible.
///
/// A manifest is untrusted input (`verify` is pointed at folders it did not write): `decode`
/// checks every field's range, bounds every count and size by an explicit limit, and multiplies
/// sizes with overflow checks, so any bad field ends in one line naming the file and the field.
public struct EmitManifest: Codable, Hashable, Sendable {
    public static let fileName = "whittle.json"
    /// The QGraph the folder was emitted from, without its validation set (vectors/ holds it).
    public static let modelFileName = "whittle.q"
    /// 4 added `files` (the SHA-256 of every emitted file), 5 `optimize` and `weightFormats`.
    public static let currentFormat = 5

    /// What a manifest may claim; anything beyond is refused before any arithmetic or allocation.
    public enum Limits {
        /// Bytes of `whittle.json` itself.
        public static let manifestBytes = 64 << 20
        /// Test vectors in one folder (as many as `emit` writes).
        public static let vectors = QGraphLimits.maxVectors
        /// One dimension of a tensor shape.
        public static let dimension = QGraphLimits.maxDimension
        /// Elements (int8 bytes) of one tensor.
        public static let tensorElements = QGraphLimits.maxTensorElements
        /// Bytes of one vectors file (count × size × element size).
        public static let vectorFileBytes = 1 << 31
        /// Memory and constant byte counts.
        public static let bytes = 1 << 40
        /// Multiply-accumulates and parameters.
        public static let operations = 1 << 50
        /// Layers, kernels and files listed.
        public static let entries = 100_000
        /// Characters of a name (model, target, layer, kernel) or a path.
        public static let textLength = 1024
    }

    public struct Tensor: Codable, Hashable, Sendable {
        /// Height, width, channels.
        public var shape: [Int]
        public var size: Int
        public var scale: Double
        public var zeroPoint: Int32
    }

    public struct Vectors: Codable, Hashable, Sendable {
        public var count: Int
        /// "validation set" or "random".
        public var source: String
        /// The seed of random vectors (nil for validation inputs).
        public var seed: UInt64?
        /// Paths relative to the folder.
        public var inputs: String
        public var expected: String
        public var labels: String?
        public var floatLogits: String?
        /// The outputs another engine gave for these inputs (an imported model's `--expected`).
        public var givenExpected: String?
    }

    public struct Memory: Codable, Hashable, Sendable {
        public var arenaBytes: Int
        /// The sparse kernels' static scratch (0 without sparse layers).
        public var scratchBytes: Int
        /// No arena for this node order can be smaller (the most bytes live during one node).
        public var lowerBoundBytes: Int
        public var naiveArenaBytes: Int
        public var naiveActivationBytes: Int
        public var alignment: Int

        /// The model's static RAM on the host: the arena and the kernels' scratch (a bare-metal
        /// target adds its stack, measured by `verify --target`). The one RAM figure reports give.
        public var ramBytes: Int { arenaBytes + scratchBytes }
    }

    public var format: Int
    public var model: String
    public var target: String
    /// What the passes favoured ("speed" or "size", `emit --optimize`) and whose weight formats
    /// the C runs ("chosen" by the pass, or "stored" as the graph had them): `verify --target`
    /// emits again for another target the same way.
    public var optimize: String
    public var weightFormats: String
    public var input: Tensor
    public var output: Tensor
    public var vectors: Vectors
    public var memory: Memory
    /// Bytes of every table in model_weights.c.
    public var constantBytes: Int
    /// What the same parameters take as float32.
    public var float32ParameterBytes: Int
    /// Multiply-accumulates per inference of the dense model, and those the chosen kernels execute.
    public var macs: Int
    public var executedMacs: Int
    public var kernels: [String]
    public var layers: [LayerReport]
    /// The SHA-256 (64 lowercase hex digits) of every file of the folder but `whittle.json`, by
    /// path relative to the folder.
    public var files: [String: String]

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// The pass options the folder was emitted with.
    public var passOptions: PassOptions {
        PassOptions(objective: SparseFormatChoice.Objective(rawValue: optimize) ?? .speed,
                    weightFormats: PassOptions.WeightFormats(rawValue: weightFormats) ?? .chosen)
    }

    /// Reads `whittle.json` from an emitted folder; one-line errors name the file.
    public static func read(from folder: URL) throws -> EmitManifest {
        let url = folder.appendingPathComponent(fileName)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let attributes else {
            throw CodegenError("\(url.path): missing; is \(folder.path) a folder written by whittle emit?")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw CodegenError("\(url.path): not a regular file; emit the folder again")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= Limits.manifestBytes else {
            throw CodegenError("\(url.path): \(size.grouped) bytes, more than the limit of \(Limits.manifestBytes.grouped) for a manifest")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CodegenError("\(url.path): cannot be read")
        }
        return try decode(data, path: url.path)
    }

    /// Parses and checks a manifest: a pure function of `data` (nothing is read from disk), so a
    /// fuzzer can call it. `path` starts every error line. Checks the format number, that every
    /// count and size is within `Limits` (products with overflow checks), shapes positive and
    /// consistent with sizes, scales finite and positive, zero points in −128…127, hashes 64 hex
    /// digits, and that every path is relative and stays inside the folder.
    public static func decode(_ data: Data, path: String) throws -> EmitManifest {
        func fail(_ problem: String) -> CodegenError { CodegenError("\(path): \(problem)") }
        guard data.count <= Limits.manifestBytes else {
            throw fail("\(data.count.grouped) bytes, more than the limit of \(Limits.manifestBytes.grouped) for a manifest")
        }
        // The format first, so a folder from another whittle gets "emit again", not a missing field.
        struct Header: Decodable { var format: Int }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw fail(describe(error, what: "not a valid whittle manifest"))
        }
        guard header.format == currentFormat else {
            throw fail("manifest format \(header.format), this whittle reads \(currentFormat); emit the folder again")
        }
        let manifest: EmitManifest
        do {
            manifest = try JSONDecoder().decode(EmitManifest.self, from: data)
        } catch {
            // Foundation reports a number out of its field's range as "not valid JSON" with no
            // field; find the field so the line can name it.
            if let (field, problem) = numberProblem(in: data) {
                throw fail("field '\(field)' \(problem)")
            }
            throw fail(describe(error, what: "not a valid whittle manifest"))
        }
        try manifest.validate(path: path)
        return manifest
    }

    /// True for a path relative to the folder that stays inside it: not empty, not absolute, no
    /// empty, "." or ".." component, no backslash or control character.
    public static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= Limits.textLength, !path.hasPrefix("/"), !path.contains("\\"),
              !path.unicodeScalars.contains(where: isControl) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    // MARK: - Checks

    private func validate(path: String) throws {
        func fail(_ field: String, _ problem: String) -> CodegenError { CodegenError("\(path): field '\(field)' \(problem)") }
        func count(_ field: String, _ value: Int, _ range: ClosedRange<Int>, _ what: String) throws {
            guard value >= range.lowerBound else {
                throw fail(field, "is \(value), must be at least \(range.lowerBound)")
            }
            guard value <= range.upperBound else {
                throw fail(field, "is \(value.grouped), more than the limit of \(range.upperBound.grouped) \(what)")
            }
        }
        func text(_ field: String, _ value: String, allowEmpty: Bool = false) throws {
            guard allowEmpty || !value.isEmpty else { throw fail(field, "is empty") }
            guard value.unicodeScalars.count <= Limits.textLength else {
                throw fail(field, "is \(value.unicodeScalars.count) characters long, more than the limit of \(Limits.textLength)")
            }
            guard !value.unicodeScalars.contains(where: Self.isControl) else { throw fail(field, "contains a control character") }
        }
        func identifier(_ field: String, _ value: String, extra: String) throws {
            try text(field, value)
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_" + extra)
            guard value.allSatisfy(allowed.contains), !value.hasPrefix(".") else {
                throw fail(field, "is '\(value)', which is not a name (letters, digits, \(extra.map { "'\($0)'" }.joined(separator: ", ")) and '_')")
            }
        }
        /// The product of `factors` (each already ≥ 0), or a failure when it exceeds `limit`.
        func product(_ field: String, _ factors: [Int], limit: Int, _ what: String) throws -> Int {
            var total = 1
            for factor in factors {
                let (next, overflow) = total.multipliedReportingOverflow(by: factor)
                guard !overflow, next <= limit else {
                    throw fail(field, "gives \(factors.map { $0.grouped }.joined(separator: " × ")) \(what), more than the limit of \(limit.grouped)")
                }
                total = next
            }
            return total
        }
        func shape(_ field: String, _ shape: [Int]) throws -> Int {
            guard shape.count == 3 else { throw fail(field, "has \(shape.count) dimensions, expected 3 (height, width, channels)") }
            for (i, d) in shape.enumerated() { try count("\(field)[\(i)]", d, 1...Limits.dimension, "per dimension") }
            return try product(field, shape, limit: Limits.tensorElements, "elements")
        }
        func tensor(_ field: String, _ t: Tensor) throws {
            let elements = try shape("\(field).shape", t.shape)
            try count("\(field).size", t.size, 1...Limits.tensorElements, "elements")
            guard t.size == elements else {
                throw fail("\(field).size", "is \(t.size), but the shape \(t.shape.map(String.init).joined(separator: "×")) holds \(elements) elements")
            }
            guard t.scale.isFinite, t.scale > 0 else { throw fail("\(field).scale", "is \(t.scale), must be finite and positive") }
            guard (-128...127).contains(t.zeroPoint) else { throw fail("\(field).zeroPoint", "is \(t.zeroPoint), must be in -128…127") }
        }
        func relativePath(_ field: String, _ value: String) throws {
            guard Self.isSafeRelativePath(value) else {
                throw fail(field, "is '\(value.unicodeScalars.prefix(80).map { Self.isControl($0) ? "?" : String($0) }.joined())', not a relative path inside the folder")
            }
            guard value != Self.fileName else { throw fail(field, "names the manifest itself") }
        }

        guard format == Self.currentFormat else { throw fail("format", "is \(format), this whittle reads \(Self.currentFormat)") }
        try text("model", model, allowEmpty: true)
        try identifier("target", target, extra: "-.")
        guard SparseFormatChoice.Objective(rawValue: optimize) != nil else {
            throw fail("optimize", "is '\(optimize.prefix(80))', expected \(SparseFormatChoice.Objective.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        guard PassOptions.WeightFormats(rawValue: weightFormats) != nil else {
            throw fail("weightFormats", "is '\(weightFormats.prefix(80))', expected \(PassOptions.WeightFormats.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        try tensor("input", input)
        try tensor("output", output)

        if vectors.count == 0 {
            throw fail("vectors.count", "is 0: the folder has no test vectors; emit again with --vectors N")
        }
        try count("vectors.count", vectors.count, 1...Limits.vectors, "test vectors")
        switch vectors.source {
        case "random":
            guard vectors.seed != nil else { throw fail("vectors.seed", "is missing; random vectors need their seed") }
        case "validation set":
            guard vectors.seed == nil else { throw fail("vectors.seed", "is set, but validation vectors have no seed") }
        default:
            throw fail("vectors.source", "is '\(vectors.source.prefix(80))', expected 'random' or 'validation set'")
        }
        _ = try product("vectors.count", [vectors.count, input.size], limit: Limits.vectorFileBytes, "bytes of inputs")
        _ = try product("vectors.count", [vectors.count, output.size], limit: Limits.vectorFileBytes, "bytes of expected outputs")
        _ = try product("vectors.count", [vectors.count, 4], limit: Limits.vectorFileBytes, "bytes of labels")
        _ = try product("vectors.count", [vectors.count, output.size, 4], limit: Limits.vectorFileBytes, "bytes of float logits")
        var vectorFiles = [("vectors.inputs", vectors.inputs), ("vectors.expected", vectors.expected)]
        if let labels = vectors.labels { vectorFiles.append(("vectors.labels", labels)) }
        if let logits = vectors.floatLogits { vectorFiles.append(("vectors.floatLogits", logits)) }
        if let given = vectors.givenExpected { vectorFiles.append(("vectors.givenExpected", given)) }
        for (field, file) in vectorFiles { try relativePath(field, file) }
        if Set(vectorFiles.map(\.1)).count != vectorFiles.count {
            throw fail("vectors", "names one file for two kinds of vectors")
        }

        for (field, value) in [("memory.arenaBytes", memory.arenaBytes), ("memory.scratchBytes", memory.scratchBytes),
                               ("memory.lowerBoundBytes", memory.lowerBoundBytes),
                               ("memory.naiveArenaBytes", memory.naiveArenaBytes),
                               ("memory.naiveActivationBytes", memory.naiveActivationBytes),
                               ("constantBytes", constantBytes), ("float32ParameterBytes", float32ParameterBytes)] {
            try count(field, value, 0...Limits.bytes, "bytes")
        }
        try count("memory.alignment", memory.alignment, 1...4096, "bytes")
        guard memory.alignment & (memory.alignment - 1) == 0 else {
            throw fail("memory.alignment", "is \(memory.alignment), must be a power of two")
        }
        try count("macs", macs, 0...Limits.operations, "multiply-accumulates")
        try count("executedMacs", executedMacs, 0...Limits.operations, "multiply-accumulates")

        try count("kernels", kernels.count, 0...Limits.entries, "entries")
        for (i, kernel) in kernels.enumerated() { try identifier("kernels[\(i)]", kernel, extra: "") }
        try count("layers", layers.count, 0...Limits.entries, "entries")
        for (i, layer) in layers.enumerated() {
            let field = "layers[\(i)]"
            try text("\(field).name", layer.name)
            try text("\(field).op", layer.op)
            try text("\(field).kernel", layer.kernel)
            if let format = layer.weightFormat { try text("\(field).weightFormat", format) }
            if let density = layer.density, !(density.isFinite && (0...1).contains(density)) {
                throw fail("\(field).density", "is \(density), must be in 0…1")
            }
            _ = try shape("\(field).inputShape", layer.inputShape)
            _ = try shape("\(field).outputShape", layer.outputShape)
            try count("\(field).macs", layer.macs, 0...Limits.operations, "multiply-accumulates")
            try count("\(field).executedMacs", layer.executedMacs, 0...Limits.operations, "multiply-accumulates")
            try count("\(field).constantBytes", layer.constantBytes, 0...Limits.bytes, "bytes")
            try count("\(field).denseConstantBytes", layer.denseConstantBytes, 0...Limits.bytes, "bytes")
            try count("\(field).parameters", layer.parameters, 0...Limits.operations, "parameters")
            if let bound = layer.accumulatorBound, bound < 0 {
                throw fail("\(field).accumulatorBound", "is \(bound), must not be negative")
            }
        }

        try count("files", files.count, 1...Limits.entries, "entries")
        for (file, digest) in files.sorted(by: { $0.key < $1.key }) {
            try relativePath("files", file)
            guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw fail("files.\(file)", "is not a SHA-256 (64 lowercase hexadecimal digits)")
            }
        }
        for required in [Self.modelFileName, "model.h", "model.c", "model_weights.c"] + vectorFiles.map(\.1) where files[required] == nil {
            throw fail("files", "does not list \(required)")
        }
    }

    /// The first number in `data` that does not fit its field's type (fractional or beyond Int
    /// for counts, beyond Int32 for a zero point, beyond UInt64 for a seed, not finite for a
    /// scale or density), with its key path; nil when there is none or `data` is not JSON.
    static func numberProblem(in data: Data) -> (field: String, problem: String)? {
        guard let root = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        func visit(_ value: Any, _ path: String, _ key: String) -> (String, String)? {
            if let dictionary = value as? [String: Any] {
                for (name, inner) in dictionary.sorted(by: { $0.key < $1.key }) {
                    if let found = visit(inner, path.isEmpty ? name : "\(path).\(name)", name) { return found }
                }
                return nil
            }
            if let array = value as? [Any] {
                for (i, inner) in array.enumerated() {
                    if let found = visit(inner, "\(path)[\(i)]", key) { return found }
                }
                return nil
            }
            guard let number = value as? NSNumber, !(value is Bool) else { return nil }
            let d = number.doubleValue
            let text = number.description
            switch key {
            case "scale", "density":
                return d.isFinite ? nil : (path, "is \(text), not a finite number")
            case "zeroPoint":
                return d == d.rounded() && d >= -2_147_483_648 && d <= 2_147_483_647 ? nil : (path, "is \(text), not a 32-bit integer")
            case "seed":
                return d == d.rounded() && d >= 0 && d < 18_446_744_073_709_551_616 ? nil : (path, "is \(text), not a 64-bit unsigned integer")
            default:
                return d.isFinite && d == d.rounded() && d >= -9_223_372_036_854_775_808 && d < 9_223_372_036_854_775_808
                    ? nil : (path, "is \(text), not a 64-bit integer")
            }
        }
        return visit(root, "", "")
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// One line for a JSON or decoding error, naming the field when there is one.
    private static func describe(_ error: Error, what: String) -> String {
        func field(_ path: [CodingKey]) -> String {
            var text = ""
            for key in path {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text
        }
        func oneLine(_ s: String) -> String {
            String(s.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200))
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let parent = field(context.codingPath)
            return "\(what): missing field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case DecodingError.valueNotFound(_, let context):
            return "\(what): field '\(field(context.codingPath))' is null"
        case DecodingError.typeMismatch(let type, let context):
            return "\(what): field '\(field(context.codingPath))' is not \(typeName(type))"
        case DecodingError.dataCorrupted(let context):
            let name = field(context.codingPath)
            if name.isEmpty {
                let underlying = (context.underlyingError as NSError?).map { oneLine(String(describing: $0.userInfo["NSDebugDescription"] ?? $0.localizedDescription)) }
                return "\(what): not valid JSON (\(underlying ?? oneLine(context.debugDescription)))"
            }
            return "\(what): field '\(name)': \(oneLine(context.debugDescription))"
        default:
            return "\(what) (\(oneLine(String(describing: error))))"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type: return "an integer in range"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default: return "of the expected type (\(type))"
        }
    }
}
