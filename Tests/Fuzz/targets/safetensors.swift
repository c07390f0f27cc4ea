// Fuzz target: the safetensors reader and checkpoint loading.
import Foundation
import WhittleNN

enum FuzzTarget {
    static func seeds() -> [(name: String, bytes: Data)] { ReaderSamples.safetensorsFiles() }
    static func read(_ bytes: Data) { ReaderSamples.readSafeTensors(bytes) }
}
