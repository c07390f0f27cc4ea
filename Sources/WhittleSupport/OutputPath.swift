import Foundation

/// Checks an output path before any work starts, so that a command that will fail to write
/// fails at once (not after minutes of training) and with one line, not a Foundation error.
public enum OutputPath {
    public enum Kind: Sendable {
        /// A file, written into a folder that must already exist.
        case file
        /// A folder, created with any missing parents.
        case folder
    }

    /// Throws when `path` (given with `option`, e.g. "-o") cannot be written as a `kind`: its
    /// folder is missing or not writable, or something of the other kind is in the way.
    public static func check(_ path: String, as kind: Kind, option: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if kind == .file && isDirectory.boolValue { throw OutputError("\(option) \(path): is a folder; give a file name") }
            if kind == .folder && !isDirectory.boolValue { throw OutputError("\(option) \(path): is a file; give a folder name") }
        }
        var parent = url.deletingLastPathComponent()
        if kind == .folder {
            while !manager.fileExists(atPath: parent.path) && parent.path != "/" { parent.deleteLastPathComponent() }
        }
        guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError("\(option) \(path): the folder \(parent.path) does not exist; create it first")
        }
        // Creating a file is the only test that holds for root and read-only mounts alike.
        let probe = Temporaries.path(in: parent, label: "probe")
        defer { Temporaries.remove(probe) }
        guard FileManager.default.createFile(atPath: probe.path, contents: nil) else {
            throw OutputError("\(option) \(path): the folder \(parent.path) is not writable")
        }
    }
}
