import Foundation
import WhittleSupport

/// The safetensors container: an 8-byte little-endian header length, a JSON header mapping
/// each name to {dtype, shape, data_offsets}, then the raw little-endian bytes.
/// This codec is format-only; `Checkpoint` maps entries to a model.
public struct SafeTensors {
    public enum DType: String, Sendable {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    public struct Entry {
        public var dtype: DType
        public var shape: [Int]
        public var bytes: Data

        public init(dtype: DType, shape: [Int], bytes: Data) { self.dtype = dtype; self.shape = shape; self.bytes = bytes }

        public init(floats: [Float], shape: [Int]) {
            self.init(dtype: .f32, shape: shape, bytes: floats.withUnsafeBufferPointer { Data(buffer: $0) })
        }

        /// Values as Float32, converting from any float or integer dtype.
        public func floats() -> [Float] {
            let n = shape.reduce(1, *)
            return bytes.withUnsafeBytes { raw -> [Float] in
                (0..<n).map { i in
                    switch dtype {
                    case .f32: return Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)
                    case .f64: return Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                    case .f16: return Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian))
                    case .bf16: return Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16)
                    case .i64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    case .i32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case .i16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                    case .i8: return Float(raw.load(fromByteOffset: i, as: Int8.self))
                    case .u8, .bool: return Float(raw.load(fromByteOffset: i, as: UInt8.self))
                    }
                }
            }
        }
    }

    /// Entries in file order.
    public var entries: [(name: String, entry: Entry)] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public subscript(name: String) -> Entry? { entries.first { $0.name == name }?.entry }

    /// Serialises with entries in the given order and a compact header with sorted keys, so the
    /// same model always gives the same bytes.
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, e) in entries {
            header[name] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]] as [String: Any]
            offset += e.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        while json.count % 8 != 0 { json.append(0x20) } // pad with spaces as the reference writer does
        var out = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, e) in entries { out.append(e.bytes) }
        return out
    }

    /// Parses and validates a safetensors file; errors name the file and the tensor.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError("\(path): cannot read the checkpoint") }
        do { try self.init(data: data) } catch let e as CheckpointError { throw CheckpointError("\(path): \(e.description)") }
    }

    /// At most this many bytes of JSON header (the reference implementation's limit).
    public static let headerLimit = SizeLimit("header bytes", maximum: 100 << 20)
    /// At most this many elements in one tensor.
    public static let elementLimit = SizeLimit("elements in one tensor", maximum: 1 << 28)

    /// Parses and checks the whole container: the header fits the file, every tensor's bytes are
    /// in bounds and exactly dtype × shape, and the tensors tile the data with no gap, overlap or
    /// trailing byte (so no two names can alias one weight).
    public init(data: Data) throws {
        guard data.count >= 8 else { throw CheckpointError("not a safetensors file (\(data.count) bytes)") }
        let claimed = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard claimed >= 2, claimed <= UInt64(data.count - 8), claimed <= UInt64(Self.headerLimit.maximum) else {
            throw CheckpointError("not a safetensors file (header length \(claimed) does not fit \(data.count) bytes or the limit of \(Self.headerLimit))")
        }
        let length = Int(claimed)
        let headerData = data.subdata(in: data.startIndex + 8..<data.startIndex + 8 + length)
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw CheckpointError("not a safetensors file (header is not a JSON object)")
        }
        let body = data.subdata(in: data.startIndex + 8 + length..<data.endIndex)
        if let meta = header["__metadata__"] {
            guard let strings = meta as? [String: String] else {
                throw CheckpointError("__metadata__ must map strings to strings")
            }
            metadata = strings
        }
        var parsed: [(name: String, entry: Entry, start: Int, end: Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], Set(info.keys) == ["dtype", "shape", "data_offsets"],
                  let dt = info["dtype"] as? String, let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw CheckpointError("tensor '\(name)': malformed header entry (needs dtype, shape and data_offsets)")
            }
            guard let dtype = DType(rawValue: dt) else { throw CheckpointError("tensor '\(name)': unsupported dtype \(dt)") }
            let elements: Int
            do { elements = try Self.elementLimit.product(shape, of: "shape") } catch {
                throw CheckpointError("tensor '\(name)': \(error)")
            }
            let (start, end) = (offsets[0], offsets[1])
            guard start >= 0, start <= end, end <= body.count else {
                throw CheckpointError("tensor '\(name)': data offsets [\(start), \(end)] outside the \(body.count) data bytes (truncated file?)")
            }
            guard end - start == elements * dtype.size else {
                throw CheckpointError("tensor '\(name)': shape \(shape) of \(dt) needs \(elements * dtype.size) bytes, offsets give \(end - start)")
            }
            parsed.append((name, Entry(dtype: dtype, shape: shape, bytes: body.subdata(in: start..<end)), start, end))
        }
        parsed.sort { ($0.start, $0.end, $0.name) < ($1.start, $1.end, $1.name) }
        var covered = 0
        for tensor in parsed {
            guard tensor.start == covered else {
                throw CheckpointError(tensor.start < covered
                    ? "tensor '\(tensor.name)': data offsets [\(tensor.start), \(tensor.end)] overlap the tensor before it"
                    : "tensor '\(tensor.name)': data offsets start at \(tensor.start), leaving bytes \(covered)..<\(tensor.start) unused")
            }
            covered = tensor.end
        }
        guard covered == body.count else {
            throw CheckpointError("\(body.count - covered) unexpected bytes after the last tensor's data")
        }
        entries = parsed.map { ($0.name, $0.entry) }
    }
}

public struct CheckpointError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
