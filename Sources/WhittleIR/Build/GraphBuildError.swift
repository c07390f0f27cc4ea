/// A layer handed to `QGraphBuilder` does not fit: one line naming the layer and the problem.
public struct GraphBuildError: Error, CustomStringConvertible, Sendable {
    public let layer: String
    public let problem: String

    public init(layer: String, _ problem: String) {
        self.layer = layer
        self.problem = problem
    }

    public var description: String { "layer '\(layer)': \(problem)" }
}
