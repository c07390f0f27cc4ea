import Foundation
import WhittleCodegen

/// Which files of an emitted folder differ from what `emit` wrote: `whittle.json` records the
/// SHA-256 of every other file, and this recomputes them. Only regular files count: a symbolic
/// link or other special file where a file was emitted is "changed", and is never followed.
/// The `build/` folder that the folder's own `make` creates is not part of the emission and is
/// ignored (verify never builds from the folder's files anyway).
public struct FolderIntegrity: Codable, Hashable, Sendable {
    /// Files whose contents differ from the manifest's hash (or that are no longer regular files).
    public var changed: [String]
    /// Files the manifest lists that are gone.
    public var missing: [String]
    /// Files that were not emitted.
    public var extra: [String]

    /// Most entries walked and names shown, so a folder of millions of files stays one line.
    static let walkLimit = 100_000
    static let namesShown = 8
    /// Folders the folder's own Makefile writes into (`BUILD ?= build`).
    static let ignoredFolders: Set<String> = ["build"]

    public init(changed: [String] = [], missing: [String] = [], extra: [String] = []) {
        self.changed = changed
        self.missing = missing
        self.extra = extra
    }

    public var isIntact: Bool { changed.isEmpty && missing.isEmpty && extra.isEmpty }

    /// "changed model.c, test_main.c; missing kernels/fc_s8.c; extra notes.txt" (at most
    /// `namesShown` names per kind, then how many more).
    public var summary: String {
        func names(_ list: [String]) -> String {
            let shown = list.prefix(Self.namesShown).joined(separator: ", ")
            return list.count > Self.namesShown ? "\(shown) and \(list.count - Self.namesShown) more" : shown
        }
        return [("changed", changed), ("missing", missing), ("extra", extra)]
            .filter { !$0.1.isEmpty }.map { "\($0.0) \(names($0.1))" }.joined(separator: "; ")
    }

    /// Hashes every file `manifest` lists and walks `folder` for files it does not list.
    public static func check(folder: URL, manifest: EmitManifest) -> FolderIntegrity {
        let present = walk(folder)
        var result = FolderIntegrity()
        for (path, digest) in manifest.files.sorted(by: { $0.key < $1.key }) {
            switch present[path] {
            case nil: result.missing.append(path)
            case false?: result.changed.append(path)
            case true?:
                if hash(of: folder.appendingPathComponent(path)) != digest { result.changed.append(path) }
            }
        }
        result.extra = present.keys.filter { manifest.files[$0] == nil && $0 != EmitManifest.fileName }.sorted()
        return result
    }

    /// Every entry under `folder` that is not a directory, by relative path: true for a regular
    /// file, false for anything else (symbolic links are not followed).
    static func walk(_ folder: URL) -> [String: Bool] {
        let manager = FileManager.default
        var found: [String: Bool] = [:]
        var pending: [(relative: String, depth: Int)] = [("", 0)]
        var visited = 0
        while let (relative, depth) = pending.popLast() {
            let url = relative.isEmpty ? folder : folder.appendingPathComponent(relative)
            let names = ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
            for name in names {
                visited += 1
                guard visited <= walkLimit else { return found }
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                let type = (try? manager.attributesOfItem(atPath: folder.appendingPathComponent(path).path))?[.type] as? FileAttributeType
                if type == .typeDirectory {
                    if relative.isEmpty && ignoredFolders.contains(name) { continue }
                    if depth < 32 { pending.append((path, depth + 1)) } else { found[path] = false }
                } else {
                    found[path] = type == .typeRegular
                }
            }
        }
        return found
    }

    /// The SHA-256 of a file, read in pieces (nil when it cannot be read).
    static func hash(of url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 1 << 20)
            } catch {
                return nil
            }
            guard let chunk, !chunk.isEmpty else { break } // nil or empty: the end of the file
            hasher.update(chunk)
        }
        return hasher.hexDigest()
    }
}
