// Fuzz target: the IDX reader (plain and gzipped) and dataset assembly, as `--data DIR` feeds it.
import Foundation
import WhittleNN

enum FuzzTarget {
    static func seeds() -> [(name: String, bytes: Data)] { ReaderSamples.idxFiles() }
    static func read(_ bytes: Data) { ReaderSamples.readIDX(bytes) }
}
