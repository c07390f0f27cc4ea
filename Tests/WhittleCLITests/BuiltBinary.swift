import Foundation

/// The `whittle` executable of the build this test bundle belongs to (`.build/<triple>/<config>/`:
/// a debug test run spawns the debug binary, a release run the release one), refused when it is
/// missing or older than any object file of the code it links (everything in that folder but the
/// test modules): a binary left by an earlier build would pass or fail on old code. `swift build`,
/// `swift build --build-tests` and `make test` link it fresh.
enum BuiltBinary {
    struct Stale: Error, CustomStringConvertible {
        let description: String
    }

    static func whittle() throws -> URL { try checked.get() }

    private static let checked = Result { try check(products.appendingPathComponent("whittle")) }

    /// The folder holding this test bundle and the products of the same build.
    static var products: URL {
        #if os(macOS)
        return Bundle(for: Anchor.self).bundleURL.deletingLastPathComponent()
        #else
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        #endif
    }

    private final class Anchor {}

    private static func check(_ binary: URL) throws -> URL {
        let rebuild = "build it with `swift build\(products.lastPathComponent == "release" ? " -c release" : "")` (make test does)"
        guard let built = modified(binary), FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Stale(description: "\(binary.path) is missing; \(rebuild)")
        }
        if let newest = newestObject(), newest.date > built {
            throw Stale(description: "\(binary.path) is older than \(newest.path): it was not linked from this build's code; \(rebuild)")
        }
        return binary
    }

    /// The most recently written `.o` of the modules the executable links.
    private static func newestObject() -> (path: String, date: Date)? {
        let fm = FileManager.default
        let modules = ((try? fm.contentsOfDirectory(atPath: products.path)) ?? [])
            .filter { $0.hasSuffix(".build") && !$0.hasSuffix("Tests.build") && !$0.hasPrefix("WhittlePackage") }
        var newest: (path: String, date: Date)?
        for module in modules {
            let folder = products.appendingPathComponent(module)
            guard let files = fm.enumerator(atPath: folder.path) else { continue }
            while let file = files.nextObject() as? String {
                guard file.hasSuffix(".o") else { continue }
                let path = folder.appendingPathComponent(file).path
                if let date = modified(URL(fileURLWithPath: path)), date > (newest?.date ?? .distantPast) { newest = (path, date) }
            }
        }
        return newest
    }

    private static func modified(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }
}
