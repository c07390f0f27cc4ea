/// Code generation cannot proceed: bad input (unknown target, unwritable folder, missing
/// template). One line, naming the file, folder or field.
public struct CodegenError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
