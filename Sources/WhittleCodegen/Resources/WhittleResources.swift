import Foundation

/// The folder holding `templates/` and `targets/`. Found from `$WHITTLE_HOME`, else next to the
/// running executable — walking up from its resolved path (so `.build/release/whittle` finds the
/// checkout) and trying `<bin>/../share/whittle` for an installed copy — never from the caller's
/// working directory.
public struct WhittleResources: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    public var templates: URL { root.appendingPathComponent("templates") }
    public var targets: URL { root.appendingPathComponent("targets") }

    /// Whether `folder` holds both resource folders. Walking up from `<prefix>/bin/whittle` tries
    /// `<prefix>/bin/share/whittle`, then `<prefix>/share/whittle`, and so on.
    public static func isRoot(_ folder: URL) -> Bool {
        let manager = FileManager.default
        return ["templates", "targets"].allSatisfy {
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL? = runningExecutable()) throws -> WhittleResources {
        if let home = environment["WHITTLE_HOME"], !home.isEmpty {
            let root = URL(fileURLWithPath: home)
            guard isRoot(root) else {
                throw CodegenError("WHITTLE_HOME=\(home) has no templates/ and targets/ folders")
            }
            return WhittleResources(root: root)
        }
        if let executable = executable?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            while true {
                for candidate in [folder, folder.appendingPathComponent("share/whittle")] where isRoot(candidate) {
                    return WhittleResources(root: candidate)
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CodegenError("cannot find whittle's templates/ and targets/ folders next to the executable; set WHITTLE_HOME to the folder that holds them")
    }

    /// The resolved path of the running program (`/proc/self/exe` on Linux).
    public static func runningExecutable() -> URL? {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: proc.path) {
            return URL(fileURLWithPath: path)
        }
        return CommandLine.arguments.first.map { URL(fileURLWithPath: $0) }
    }
}
