/// A pruning request that cannot be carried out: one line naming the spec field or the layer.
public struct PruneError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
