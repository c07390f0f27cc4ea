/// A `.tflite` model Whittle cannot import: one line naming the operator (its index and kind) or
/// the tensor, and what is wrong. The command line puts the file's path in front.
public struct TFLiteImportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// A problem of operator `index`.
    static func op(_ index: Int, _ kind: TFLiteOperatorKind, _ problem: String) -> TFLiteImportError {
        TFLiteImportError("operator \(index) (\(kind)): \(problem)")
    }
}
