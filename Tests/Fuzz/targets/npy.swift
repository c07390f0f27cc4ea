// Fuzz target: the NumPy .npy reader and dataset assembly, as a `--data DIR` of x_*.npy/y_*.npy feeds it.
import Foundation
import WhittleNN

enum FuzzTarget {
    static func seeds() -> [(name: String, bytes: Data)] { ReaderSamples.npyFiles() }
    static func read(_ bytes: Data) { ReaderSamples.readNPY(bytes) }
}
