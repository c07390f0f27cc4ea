/// The emitted folder or the machine cannot be used as asked (missing folder, corrupt vectors,
/// compiler not installed): exit 2.
public struct VerifyInputError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The generated C failed a check (did not compile warning-free, crashed, timed out): exit 1.
public struct VerifyCheckFailure: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
