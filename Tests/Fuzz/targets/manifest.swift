// Fuzz target: an emitted folder's manifest (`whittle.json`), as `whittle verify` reads it.
import Foundation
import WhittleCodegen

enum FuzzTarget {
    static let resources = try? WhittleResources.locate()
    static let host = resources.flatMap { try? TargetDescriptor.load(named: "host", from: $0) }
    static func seeds() -> [(name: String, bytes: Data)] { ManifestReaderSamples.files(target: host, resources: resources) }
    static func read(_ bytes: Data) { ManifestReaderSamples.read(bytes) }
}
