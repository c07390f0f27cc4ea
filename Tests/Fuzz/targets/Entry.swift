// The libFuzzer entry points, shared by every fuzz target. Each target file defines
// `FuzzTarget`: its seed files and the read path to drive. The seed corpus is written from the
// readers' own writers when fuzzing starts (WHITTLE_FUZZ_SEEDS names the corpus folder), so a
// format change never leaves stale seeds behind.
import Foundation

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>>>) -> Int32 {
    guard let folder = ProcessInfo.processInfo.environment["WHITTLE_FUZZ_SEEDS"] else { return 0 }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for seed in FuzzTarget.seeds() {
        FileManager.default.createFile(atPath: "\(folder)/seed-\(seed.name)", contents: seed.bytes)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    FuzzTarget.read(Data(bytes: bytes, count: count))
    return 0
}
