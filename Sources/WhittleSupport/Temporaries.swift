import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every temporary file or folder Whittle makes is named `.whittle-tmp-PID-RANDOM-LABEL`, so it
/// is recognisable, and tracked, so it is removed on every exit path that can run code: normal
/// return, a thrown error, and SIGINT/SIGTERM/SIGHUP. A process killed outright (SIGKILL) runs no
/// code; its temporaries are removed by the next Whittle process that writes in the same folder
/// (`sweep`), which sees that their PID is no longer alive.
public enum Temporaries {
    public static let prefix = ".whittle-tmp-"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var live: Set<String> = []
    /// Folders already swept by this process: one sweep each (verify makes a temporary per gcc run).
    nonisolated(unsafe) private static var swept: Set<String> = []
    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []

    /// A fresh path in `folder` for a temporary named after `label` (not created), registered
    /// for removal at exit. Stale temporaries of dead processes in `folder` are removed first.
    public static func path(in folder: URL, label: String) -> URL {
        sweepOnce(folder)
        let pid = ProcessInfo.processInfo.processIdentifier
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let safeLabel = label.replacingOccurrences(of: "/", with: "_")
        let url = folder.appendingPathComponent("\(prefix)\(pid)-\(random)-\(safeLabel)")
        lock.withLock { _ = live.insert(url.path) }
        return url
    }

    /// Removes the stale temporaries of dead processes in `folder`, once per process: a command
    /// that will write there calls it before its long work, so an interrupted run leaves none behind.
    public static func sweepOnce(_ folder: URL) {
        if lock.withLock({ swept.insert(folder.standardizedFileURL.path).inserted }) { sweep(folder) }
    }

    /// A temporary folder (created) in the system's temporary directory.
    public static func folder(label: String) throws -> URL {
        let url = path(in: FileManager.default.temporaryDirectory, label: label)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes a temporary (if it still exists, or was renamed into place) and stops tracking it.
    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        lock.withLock { _ = live.remove(url.path) }
    }

    /// Removes every tracked temporary; called on exit and on a terminating signal.
    public static func removeAll() {
        let paths = lock.withLock { () -> Set<String> in
            defer { live.removeAll() }
            return live
        }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Removes the temporaries in `folder` whose process is gone.
    public static func sweep(_ folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = ownerPID(name), !isAlive(pid) else { continue }
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// The PID in `.whittle-tmp-PID-…`, nil for a name of another shape.
    static func ownerPID(_ name: String) -> Int32? {
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        return Int32(rest[..<dash])
    }

    static func isAlive(_ pid: Int32) -> Bool {
        if pid == ProcessInfo.processInfo.processIdentifier { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// On SIGINT, SIGTERM or SIGHUP: remove the temporaries and exit with 128 + the signal, as a
    /// shell reports it. Handled on a dispatch queue, not in signal context, so removing files is safe.
    public static func removeOnTerminatingSignals() {
        lock.withLock {
            guard signalSources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    removeAll()
                    exit(128 + sig)
                }
                source.resume()
                signalSources.append(source)
            }
        }
    }
}
