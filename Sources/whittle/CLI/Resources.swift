import Foundation

/// Finds Whittle's data folders (templates/, targets/, examples/) from any working directory:
/// `$WHITTLE_HOME`, else `<exe>/../share/whittle` (an installed tree), else the nearest
/// ancestor of the executable holding them (a source checkout: .build/release/whittle).
enum Resources {
    static func folder(_ name: String) throws -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["WHITTLE_HOME"] { candidates.append(URL(fileURLWithPath: home)) }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let exeURL = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? exe.path)
        candidates.append(exeURL.deletingLastPathComponent().appendingPathComponent("../share/whittle").standardized)
        var dir = exeURL.deletingLastPathComponent()
        while dir.path != "/" {
            candidates.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        for base in candidates {
            let url = base.appendingPathComponent(name)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue { return url }
        }
        throw UsageError("whittle", "cannot find the '\(name)' folder; set WHITTLE_HOME to the Whittle source or install folder")
    }
}
