import Foundation

extension Harness {
    /// The file a test program writes its outputs to, vector after vector: its size tells how many
    /// vectors have run (under QEMU 10,000 LeNet vectors take most of a minute).
    public struct OutputsWritten: Sendable {
        public var file: URL
        public var vectorBytes: Int
        public var vectors: Int

        public init(file: URL, vectorBytes: Int, vectors: Int) {
            self.file = file
            self.vectorBytes = vectorBytes
            self.vectors = vectors
        }

        /// "1200/10000 vectors", by the file's size now.
        var writtenSoFar: String {
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
            return "\(bytes / max(vectorBytes, 1))/\(vectors) vectors"
        }
    }
}
