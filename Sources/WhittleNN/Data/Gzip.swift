import CZlib
import Foundation

/// Inflates gzip (or zlib) data with the system zlib. Plain data passes through untouched.
public enum Gzip {
    static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Compresses `data` as one gzip stream (seed files for the fuzzers and tests).
    public static func compress(_ data: Data) -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return Data() }
        defer { deflateEnd(&stream) }
        var input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let written = input.withUnsafeMutableBufferPointer { inp in output.withUnsafeMutableBufferPointer { out -> Int in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            _ = deflate(&stream, Z_FINISH)
            return out.count - Int(stream.avail_out)
        }}
        return Data(output.prefix(written))
    }

    /// Inflates `data`, which must be exactly one gzip (or zlib) stream. `limit` sees the bytes
    /// inflated so far and returns how many the whole output may have (a reader passes the size
    /// its header promises once the header is in), so a small bomb cannot take gigabytes.
    /// Throws a message (the caller adds the file name) on corrupt, truncated or oversized input.
    static func inflate(_ data: Data, limit: (_ prefix: Data) throws -> Int) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                try buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        throw DataError(status == Z_BUF_ERROR ? "gzip stream is truncated" : "gzip stream is corrupt (zlib status \(status))")
                    }
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                }
                let allowed = try limit(output)
                guard output.count <= allowed else {
                    throw DataError("gzip stream inflates to more than the \(allowed) bytes its header allows")
                }
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw DataError("gzip stream is truncated") }
        guard stream.avail_in == 0 else { throw DataError("\(stream.avail_in) unexpected bytes after the gzip stream") }
        return output
    }
}
