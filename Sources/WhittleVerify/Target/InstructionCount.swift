import Foundation

/// Instructions executed per inference on an emulated target, counted by the QEMU plugin
/// (targets/qemu/insncount.c) between the harness's two `whittle_mark` calls around each
/// `model_invoke`. QEMU counts every instruction it executes, so the count is exact and the
/// same on every run; it depends on the data only through the kernels' branches (clamps).
public struct InstructionCount: Codable, Hashable, Sendable {
    /// The mean over the inferences counted, rounded, and the extremes.
    public var perInference: Int
    public var fewest: Int
    public var most: Int
    public var inferences: Int
    /// Every instruction counted, over all the inferences (exact, where `perInference` is rounded).
    public var total: Int

    public init?(counts: [Int]) {
        guard !counts.isEmpty else { return nil }
        total = counts.reduce(0, +)
        perInference = Int((Double(counts.reduce(0, +)) / Double(counts.count)).rounded())
        fewest = counts.min()!
        most = counts.max()!
        inferences = counts.count
    }

    /// The plugin's report: a line "insncount: mark ADDR #K at N delta D" per hit of the mark.
    /// Hit 2i is the mark before inference i, hit 2i + 1 the one after it, so the deltas of the
    /// odd hits are the inferences.
    public init?(report: String) {
        var counts: [Int] = []
        for line in report.split(whereSeparator: \.isNewline) where line.hasPrefix("insncount: mark ") {
            let words = line.split(separator: " ")
            guard let hit = words.first(where: { $0.hasPrefix("#") }).flatMap({ Int($0.dropFirst()) }), hit % 2 == 1,
                  let deltaIndex = words.firstIndex(of: "delta"), deltaIndex + 1 < words.count,
                  let delta = Int(words[deltaIndex + 1]) else { continue }
            counts.append(delta)
        }
        self.init(counts: counts)
    }

    /// Builds the counting plugin from its C source with the host's C compiler; nil (with the
    /// reason) when there is none.
    static func buildPlugin(source: URL, into folder: URL) throws -> (plugin: URL?, note: String?) {
        guard let compiler = ["cc", "gcc"].first(where: { ProcessRunner.which($0) != nil }) else {
            return (nil, "instructions not counted: no host C compiler to build \(source.lastPathComponent) (install the Debian package 'gcc')")
        }
        let plugin = folder.appendingPathComponent("lib\(source.deletingPathExtension().lastPathComponent).so")
        let result = try ProcessRunner.run([compiler, "-shared", "-fPIC", "-O2", "-o", plugin.path, source.path], timeout: 120)
        guard result.status == 0 else {
            throw VerifyCheckFailure("\(source.path): building the instruction-counting plugin failed: \(result.firstMessageLine)")
        }
        return (plugin, nil)
    }
}
