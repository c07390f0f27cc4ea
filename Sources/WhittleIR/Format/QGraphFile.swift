import Foundation
import WhittleSupport

/// A `.q` file could not be read: one line naming the file and what is wrong with it.
public struct QGraphFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String

    public var description: String { "\(path): \(problem)" }
}

/// The versioned binary QGraph file (`.q`). All numbers little-endian.
///
/// ```
/// offset  size  field
///      0     4  magic "WHQG"
///      4     4  format version (UInt32, currently 6; 2 added the sparse weight formats, 3 the
///               raw-input table, 4 graphs: nodes of several inputs, the add op, a conv's folded max pool;
///               5 the validation set's expected outputs of another engine; 6 its reconstruction task.
///               Versions 4 and 5 are read too)
///      8     8  payload length in bytes (UInt64)
///     16     4  CRC-32 of the payload (UInt32)
///     20     …  payload:
///               input description (string) · optional raw-input table (256 int8) · tensors · input id · output id · nodes ·
///               optional validation set (inputs, optional labels, optional float logits, optional expected outputs,
///               optional reconstruction task: a bool, then optional normal classes as Int32s)
/// ```
/// Strings are a UInt32 byte count and UTF-8; arrays a UInt64 count and their elements; doubles
/// and floats their IEEE bit patterns, so a graph reads back bit for bit. Each conv / fully
/// connected layer's weights start with a format tag: 0 dense (the values), 1 index-sparse
/// (outputs, weights per output, values, gaps, counts), 2 N:M (N, M, outputs, weights per output,
/// channels, values, indices), 3 bitmap (outputs, weights per output, values, masks); the tables
/// are `WeightStorage`'s, byte for byte. A conv stores after its groups whether a max pool is
/// folded into it (a bool; then its name, height and width). An add node stores its three multipliers (M0 and
/// shift each: input 1, input 2, output) and its clamp. Op codes 7 to 9 (version 5; a version 4 file
/// has none): softmax (7) stores beta (double), its input multiplier,
/// left shift and diff_min (Int32 each); mean (8) its folded multiplier (M0, shift) and keep_dims
/// (a bool); pad (9) its amounts top, bottom, left, right, channels before and after (Int32 each).
///
/// A file of another version is refused with one line naming both versions (version 1 knew only
/// dense weights; a newer whittle's files may hold formats this one cannot run).
public enum QGraphFile {
    public static let magic: [UInt8] = Array("WHQG".utf8)
    public static let version: UInt32 = 6
    /// The oldest version this whittle still reads (what it lacks reads as absent).
    public static let oldestReadableVersion: UInt32 = 4
    static let headerSize = 20

    public static func encode(_ graph: QGraph) -> [UInt8] {
        var payload = BinaryWriter()
        QGraphCoding.encode(graph, into: &payload)
        var header = BinaryWriter()
        header.write(version)
        header.write(UInt64(payload.bytes.count))
        header.write(CRC32.checksum(of: payload.bytes))
        return magic + header.bytes + payload.bytes
    }

    /// `bytes` with the header's payload length and checksum rewritten to match the payload, so
    /// that a fuzzer's mutations reach the decoder instead of stopping at the checksum.
    public static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= headerSize else { return bytes }
        var header = BinaryWriter()
        header.write(UInt64(bytes.count - headerSize))
        header.write(CRC32.checksum(of: bytes[headerSize...]))
        return Array(bytes[0..<8]) + header.bytes + bytes[headerSize...]
    }

    /// Decodes and verifies a graph; `name` (usually the path) starts every error line.
    public static func decode(_ bytes: [UInt8], name: String) throws -> QGraph {
        func failure(_ problem: String) -> QGraphFileError { QGraphFileError(path: name, problem: problem) }
        guard bytes.count >= 4 else {
            throw failure("truncated: \(bytes.count) bytes, not even the 4-byte magic")
        }
        guard Array(bytes[0..<4]) == magic else {
            throw failure("not a Whittle QGraph file (magic \(bytes[0..<4].map { String(format: "%02x", $0) }.joined()), expected 'WHQG')")
        }
        var header = BinaryReader(bytes, offset: 4)
        do {
            let fileVersion = try header.read(UInt32.self, "version")
            guard (oldestReadableVersion...version).contains(fileVersion) else {
                let advice = fileVersion < version ? "re-create it with this whittle's quantize" : "use the newer whittle that wrote it"
                throw failure("format version \(fileVersion), this whittle reads version \(version); \(advice)")
            }
            let length = try header.read(UInt64.self, "payload length")
            let storedChecksum = try header.read(UInt32.self, "checksum")
            let available = UInt64(bytes.count - headerSize)
            guard length <= available else {
                throw failure("truncated: header promises \(length) payload bytes, the file holds \(available)")
            }
            guard length == available else {
                throw failure("corrupt: \(available - length) unexpected bytes after the \(length)-byte payload")
            }
            let checksum = CRC32.checksum(of: bytes[headerSize...])
            guard checksum == storedChecksum else {
                throw failure(String(format: "corrupt: checksum 0x%08x, header says 0x%08x", checksum, storedChecksum))
            }
            var payload = BinaryReader(bytes, offset: headerSize)
            let graph = try QGraphCoding.decode(&payload, version: fileVersion)
            guard payload.remaining == 0 else {
                throw failure("corrupt: \(payload.remaining) bytes left over after the graph")
            }
            try GraphVerifier.verify(graph)
            return graph
        } catch let error as BinaryReader.Failure {
            throw failure(error.message)
        } catch let error as GraphVerificationError {
            throw failure(error.description)
        }
    }

    /// Writes atomically (a temporary file renamed into place), so a failed write leaves no
    /// half-written model behind.
    public static func write(_ graph: QGraph, to url: URL) throws {
        try AtomicOutput.write(Data(encode(graph)), to: url)
    }

    public static func read(from url: URL) throws -> QGraph {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw QGraphFileError(path: url.path, problem: "cannot read: \(fileErrorText(error))")
        }
        return try decode([UInt8](data), name: url.path)
    }
}
