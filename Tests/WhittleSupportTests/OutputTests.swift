import Foundation
import XCTest
import WhittleSupport

final class OutputTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-support-\(getpid())-\(name.hashValue)")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    private func names() throws -> Set<String> { Set(try FileManager.default.contentsOfDirectory(atPath: scratch.path)) }

    func testAtomicFileLeavesOnlyTheFile() throws {
        let file = scratch.appendingPathComponent("a.bin")
        try AtomicOutput.write(Data([1, 2, 3]), to: file)
        try AtomicOutput.write(Data([4]), to: file)
        XCTAssertEqual(try Data(contentsOf: file), Data([4]))
        XCTAssertEqual(try names(), ["a.bin"])
    }

    func testFolderIsReplacedWhole() throws {
        let folder = scratch.appendingPathComponent("out")
        try AtomicOutput.writeFolder([("x.txt", [1]), ("sub/y.txt", [2])], to: folder)
        try AtomicOutput.writeFolder([("z.txt", [3])], to: folder)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["z.txt"])
        XCTAssertEqual(try names(), ["out"], "the old folder and the temporary are gone")
    }

    func testFailedWriteLeavesTheOldFolderAndNoTemporary() throws {
        let folder = scratch.appendingPathComponent("out")
        try AtomicOutput.writeFolder([("x.txt", [1])], to: folder)
        XCTAssertThrowsError(try AtomicOutput.writeFolder([("x.txt", [1]), ("x.txt/y", [2])], to: folder)) {
            XCTAssertTrue("\($0)".contains("cannot write"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["x.txt"])
        XCTAssertEqual(try names(), ["out"])
    }

    /// A temporary of a dead process (as SIGKILL leaves it) is removed by the next write there;
    /// one of a live process is not.
    func testStaleTemporariesOfDeadProcessesAreSwept() throws {
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let stale = scratch.appendingPathComponent("\(Temporaries.prefix)\(dead.processIdentifier)-1a2b-out")
        let live = scratch.appendingPathComponent("\(Temporaries.prefix)1-1a2b-out") // PID 1 never dies
        for url in [stale, live] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false) }
        try AtomicOutput.write(Data([1]), to: scratch.appendingPathComponent("f"))
        XCTAssertEqual(try names(), ["f", live.lastPathComponent])
    }

    func testTrackedTemporariesAreRemovedAtExit() throws {
        let a = Temporaries.path(in: scratch, label: "a")
        try Data([1]).write(to: a)
        Temporaries.removeAll()
        XCTAssertEqual(try names(), [])
    }

    func testOutputPathsAreCheckedBeforeWork() throws {
        let file = scratch.appendingPathComponent("file")
        try Data().write(to: file)
        let cases: [(String, OutputPath.Kind, String)] = [
            (scratch.appendingPathComponent("missing/x.safetensors").path, .file, "does not exist; create it first"),
            (file.path, .folder, "is a file; give a folder name"),
            (scratch.path, .file, "is a folder; give a file name"),
            ("/proc/whittle-out", .folder, "is not writable"),
            ("/proc/x.safetensors", .file, "is not writable"),
        ]
        for (path, kind, words) in cases {
            XCTAssertThrowsError(try OutputPath.check(path, as: kind, option: "-o")) {
                XCTAssertTrue("\($0)".hasPrefix("-o \(path): "), "\($0)")
                XCTAssertTrue("\($0)".contains(words), "\($0)")
            }
        }
        XCTAssertNoThrow(try OutputPath.check(scratch.appendingPathComponent("new/deeper").path, as: .folder, option: "-o"))
        XCTAssertNoThrow(try OutputPath.check(file.path, as: .file, option: "-o"))
        XCTAssertEqual(try names(), ["file"], "the probe leaves nothing")
    }
}
