// Fuzz target: a `.q` file through decode, the verifier, the reference interpreter and emit.
import Foundation
import WhittleCodegen

enum FuzzTarget {
    static let resources = try? WhittleResources.locate()
    static let host = resources.flatMap { try? TargetDescriptor.load(named: "host", from: $0) }
    static func seeds() -> [(name: String, bytes: Data)] { QGraphReaderSamples.files() }
    static func read(_ bytes: Data) { QGraphReaderSamples.read(bytes, target: host, resources: resources) }
}
