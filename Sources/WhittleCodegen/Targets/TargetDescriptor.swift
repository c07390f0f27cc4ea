import Foundation

/// One code-generation target, read from `targets/NAME.json`. Adding a board is adding a
/// descriptor: the fields below name everything that differs between targets.
///
/// ```json
/// { "name": "host", "summary": "…", "compiler": "gcc", "compilerPackage": "gcc",
///   "cflags": ["-std=c99", "…"], "ldflags": [], "sanitizerFlags": ["-fsanitize=address,undefined"],
///   "harness": "host", "kernelVariants": [], "arenaAlignment": 16, "channelBlock": 8, "runner": [],
///   "startupSources": [], "linkerScript": null, "flashBudgetBytes": null, "ramBudgetBytes": null }
/// ```
public struct TargetDescriptor: Codable, Hashable, Sendable {
    public var name: String
    public var summary: String
    /// The C compiler command, e.g. `gcc` or `arm-none-eabi-gcc`.
    public var compiler: String
    /// The Debian package that installs `compiler`, named in "compiler not found" errors.
    public var compilerPackage: String
    public var cflags: [String]
    public var ldflags: [String]
    /// Added to `cflags` for the sanitizer build; empty when the target has no sanitizers.
    public var sanitizerFlags: [String]
    /// Folder under `templates/harness/` with `Makefile.in`, `test_main.c` and `bench_main.c`.
    public var harness: String
    /// Folders under `templates/kernels/` searched, in order, before the generic kernels: an
    /// optimized kernel replaces the generic one of the same file name (e.g. `["dsp"]`).
    public var kernelVariants: [String]
    /// Byte alignment of every tensor in the arena.
    public var arenaAlignment: Int
    /// The most output channels a conv / fully connected kernel computes at once (1…8): each
    /// input byte loaded then feeds that many multiply-accumulates, but each needs a register
    /// (8 suits x86-64's sixteen, 4 a Cortex-M).
    public var channelBlock: Int
    /// How to run a built program: the command with `{program}` standing for it (e.g. a QEMU
    /// line). Empty: run it directly.
    public var runner: [String]
    /// Extra C or assembly files under `targets/` compiled into test programs (startup code).
    public var startupSources: [String]
    /// Linker script under `targets/`, if any.
    public var linkerScript: String?
    /// Flash and RAM of a typical part; a model over budget is refused. Nil: no limit.
    public var flashBudgetBytes: Int?
    public var ramBudgetBytes: Int?

    /// Reads `targets/<name>.json`; an unknown name is a one-line error listing the known ones.
    public static func load(named name: String, from resources: WhittleResources) throws -> TargetDescriptor {
        let url = resources.targets.appendingPathComponent("\(name).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = knownTargets(in: resources)
            throw CodegenError("unknown target '\(name)'; known targets: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        let descriptor: TargetDescriptor
        do {
            descriptor = try JSONDecoder().decode(TargetDescriptor.self, from: Data(contentsOf: url))
        } catch let DecodingError.keyNotFound(key, _) {
            throw CodegenError("\(url.path): missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw CodegenError("\(url.path): field '\(field)' has the wrong type: \(context.debugDescription)")
        } catch {
            throw CodegenError("\(url.path): not a valid target descriptor: \(error.localizedDescription)")
        }
        guard descriptor.name == name else {
            throw CodegenError("\(url.path): field 'name' is '\(descriptor.name)', expected '\(name)' (the file name)")
        }
        guard descriptor.arenaAlignment > 0, descriptor.arenaAlignment & (descriptor.arenaAlignment - 1) == 0 else {
            throw CodegenError("\(url.path): field 'arenaAlignment' must be a power of two, is \(descriptor.arenaAlignment)")
        }
        guard (1...8).contains(descriptor.channelBlock) else {
            throw CodegenError("\(url.path): field 'channelBlock' must be 1…8, is \(descriptor.channelBlock)")
        }
        return descriptor
    }

    /// Names of every descriptor under `targets/`, sorted.
    public static func knownTargets(in resources: WhittleResources) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: resources.targets.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}
