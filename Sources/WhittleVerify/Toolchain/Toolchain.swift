import Foundation
import WhittleCodegen

/// The programs a target's verification needs — `make`, its C compiler and, for an emulated
/// target, its emulator — and the Debian packages that install them.
public enum Toolchain {
    public struct Tool: Hashable, Sendable, CustomStringConvertible {
        /// "compiler", "emulator" or "build tool".
        public var role: String
        public var command: String
        public var package: String

        public var description: String { "\(role) '\(command)'" }
    }

    /// Every tool `target` needs, in the order a build uses them.
    public static func tools(for target: TargetDescriptor) -> [Tool] {
        var tools = [Tool(role: "build tool", command: "make", package: "make"),
                     Tool(role: "compiler", command: target.compiler, package: target.compilerPackage)]
        if let emulator = target.runner.first {
            tools.append(Tool(role: "emulator", command: emulator, package: target.runnerPackage ?? emulator))
        }
        return tools
    }

    /// The tools of `target` not found on `path` (default: this process's PATH).
    public static func missing(for target: TargetDescriptor, path: String? = nil) -> [Tool] {
        tools(for: target).filter { ProcessRunner.which($0.command, path: path) == nil }
    }

    /// Which of `targets` this machine can verify, and the others with the packages they need.
    public static func availability(of targets: [TargetDescriptor], path: String? = nil)
        -> (available: [String], skipped: [(target: String, packages: [String])]) {
        var available: [String] = [], skipped: [(target: String, packages: [String])] = []
        for target in targets {
            let missing = Self.missing(for: target, path: path)
            if missing.isEmpty {
                available.append(target.name)
            } else {
                skipped.append((target.name, missing.map(\.package)))
            }
        }
        return (available, skipped)
    }

    /// One line on what `availability` found, e.g. "cross-target verification skipped for
    /// cortex-m0, cortex-m3 (install gcc-arm-none-eabi qemu-system-arm)"; nil when nothing is skipped.
    public static func skippedLine(_ skipped: [(target: String, packages: [String])]) -> String? {
        guard !skipped.isEmpty else { return nil }
        var packages: [String] = []
        for package in skipped.flatMap(\.packages) where !packages.contains(package) { packages.append(package) }
        return "cross-target verification skipped for \(skipped.map(\.target).joined(separator: ", ")) (install \(packages.joined(separator: " ")))"
    }
}
