import WhittleIR

/// A graph Whittle cannot export as it is: one line naming the layer (node) or tensor and what
/// would fix it. The command line puts the file's path in front.
public struct TFLiteExportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// A problem of `node`.
    static func layer(_ node: QNode, _ problem: String) -> TFLiteExportError {
        TFLiteExportError("layer '\(node.name)' (\(node.op.kindName)): \(problem)")
    }
}
