// Fuzz target: the spec parser, its validation and model building (the examples/ specs join
// the seeds; see fuzz.sh).
import Foundation
import WhittleNN

enum FuzzTarget {
    static func seeds() -> [(name: String, bytes: Data)] { ReaderSamples.specFiles() }
    static func read(_ bytes: Data) { ReaderSamples.readSpec(bytes) }
}
