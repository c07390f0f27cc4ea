import Dispatch
import Foundation

/// Deterministic parallel loops over the machine's cores.
///
/// Work is split into a fixed number of contiguous chunks that does not depend on timing, so
/// results are bit-identical run to run. Reductions use `reductionChunks` partial results
/// (a constant, not the core count) summed in chunk order, so they are also identical
/// across machines with a different number of cores.
public enum Parallel {
    /// Worker count: the active cores, at most 8.
    public static let workers: Int = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// Partial results used by deterministic reductions (see type comment).
    public static let reductionChunks = 4

    /// Calls `body` once per chunk of `0..<count`, in parallel; chunk boundaries depend only
    /// on `count` and `chunks`.
    public static func forEachChunk(_ count: Int, chunks: Int = workers, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let n = max(1, min(chunks, count))
        if n == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: n) { i in
            body(chunkRange(i, of: n, count: count))
        }
    }

    /// Like `forEachChunk`, also passing the chunk's index (0..<chunks) so each chunk can own a
    /// partial result; use `chunks: reductionChunks` for reductions.
    public static func forEachIndexedChunk(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
        guard count > 0 else { return }
        let n = max(1, min(chunks, count))
        DispatchQueue.concurrentPerform(iterations: n) { i in
            body(i, chunkRange(i, of: n, count: count))
        }
    }

    /// The `i`th of `n` near-equal contiguous chunks of `0..<count`.
    public static func chunkRange(_ i: Int, of n: Int, count: Int) -> Range<Int> {
        let base = count / n, extra = count % n
        let lo = i * base + min(i, extra)
        return lo..<(lo + base + (i < extra ? 1 : 0))
    }
}
