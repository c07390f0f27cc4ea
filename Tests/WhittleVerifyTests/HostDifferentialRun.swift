import Dispatch
import Foundation
import WhittleCodegen
import WhittleIR
import WhittleVerify
import XCTest

/// The differential run the random-graph tests share: each graph emitted for the host in the
/// formats it stores (the verifier after every rewrite), built with gcc and run on `vectors`
/// vectors (all −128, all 127, all at the zero point, then random), two graphs at a time (the
/// machine has two cores, and gcc dominates); every `sanitizeEvery`-th also under the sanitizers.
/// A passing folder is removed at once (thousands would fill the disk). With a soak's count,
/// progress goes to stderr every 50 graphs, so XCTest's output stays clean.
struct HostDifferentialRun {
    let label: String
    let vectors: Int
    let sanitizeEvery: Int

    /// One line per failing graph, and the output bytes compared with the reference.
    func run(_ graphs: [QGraph]) throws -> (failures: [String], checkedBytes: Int) {
        let scratch = try makeScratchFolder(label)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let lock = NSLock()
        var failures: [String] = []
        var checkedBytes = 0, done = 0
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for i in stride(from: worker, to: graphs.count, by: 2) {
                var failure: String?, bytes = 0
                do {
                    let folder = scratch.appendingPathComponent("graph\(i)")
                    let options = EmitOptions(target: hostTarget, modelName: "\(label)-\(i)", vectorCount: vectors, seed: UInt64(i), passes: .stored)
                    try Emitter.emit(graphs[i], options: options, resources: resources, to: folder)
                    let report = try FolderVerifier.verify(folder: folder, resources: resources,
                                                           options: VerifyOptions(sanitize: i % sanitizeEvery == 0, sanitizerVectors: vectors))
                    if report.passed { try? FileManager.default.removeItem(at: folder) } else { failure = report.failure ?? "failed" }
                    bytes = report.comparison.vectors * graphs[i].outputTensor.byteCount
                } catch {
                    failure = "\(error)"
                }
                lock.lock()
                checkedBytes += bytes
                if let failure { failures.append("graph \(i): \(failure)") }
                done += 1
                if graphs.count > 200, done % 50 == 0 || done == graphs.count {
                    FileHandle.standardError.write(Data("\(label): \(done)/\(graphs.count) graphs, \(failures.count) failing\n".utf8))
                }
                lock.unlock()
            }
        }
        return (failures, checkedBytes)
    }
}

/// The cross-target differential run: each graph emitted for the host, then verified on every
/// target in `targetNames` under its emulator (no sanitizers there); skipped, with the line
/// naming what is missing, when a toolchain is not installed. One failure message per graph and target.
func verifyOnTargets(_ graphs: [QGraph], targetNames: [String], label: String, vectors: Int) throws -> [String] {
    let targets = try targetNames.map { try TargetDescriptor.load(named: $0, from: resources) }
    let (available, skipped) = Toolchain.availability(of: targets)
    try XCTSkipIf(available.count < targets.count, Toolchain.skippedLine(skipped) ?? "")
    let scratch = try makeScratchFolder("\(label)-targets")
    defer { try? FileManager.default.removeItem(at: scratch) }
    var failures: [String] = []
    for (i, graph) in graphs.enumerated() {
        let folder = scratch.appendingPathComponent("graph\(i)")
        try Emitter.emit(graph, options: EmitOptions(target: hostTarget, modelName: "\(label)-\(i)", vectorCount: vectors, seed: UInt64(i), passes: .stored),
                         resources: resources, to: folder)
        for (target, outcome) in try TargetSweep.verify(folder, on: targets, resources: resources, options: VerifyOptions(sanitize: false)) {
            guard case .verified(let report) = outcome else {
                failures.append("graph \(i) on \(target): \(outcome)")
                continue
            }
            if !report.passed { failures.append("graph \(i) on \(target): \(report.failure ?? "")") }
        }
    }
    return failures
}
