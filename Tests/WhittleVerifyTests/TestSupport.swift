import Foundation
import WhittleCodegen

/// The checkout this test file lives in: it holds templates/ and targets/.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let resources = WhittleResources(root: repositoryRoot)
let hostTarget = try! TargetDescriptor.load(named: "host", from: resources)

/// A fresh empty folder under the temporary directory, removed by the caller.
func makeScratchFolder(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
