import Foundation
import WhittleCodegen

/// Whittle's data folders next to templates/ and targets/ (found by `WhittleResources`):
/// examples/ holds the specs the demo and benchmarks run.
enum Resources {
    static func folder(_ name: String) throws -> URL {
        let url = try WhittleResources.locate().root.appendingPathComponent(name)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw UsageError("whittle", "no '\(name)' folder beside templates/ in \(url.deletingLastPathComponent().path)")
        }
        return url
    }
}
