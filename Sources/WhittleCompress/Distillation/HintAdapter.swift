import WhittleNN
import WhittleTensor

/// The learned map of a FitNets hint (Romero et al. 2015) from a student node's output to a
/// teacher node's: a 1×1 convolution when both are [C, H, W] with equal H and W, a linear
/// layer when both are flat. It is trained with the student and thrown away afterwards.
public final class HintAdapter {
    /// `Conv2d` (1×1) or `Linear`.
    public let layer: Layer
    public let studentShape: [Int], teacherShape: [Int]

    /// Throws `ShapeError` when no 1×1 convolution or linear layer maps one shape to the other.
    public init(studentShape: [Int], teacherShape: [Int], rng: inout RNG) throws {
        self.studentShape = studentShape
        self.teacherShape = teacherShape
        switch (studentShape.count, teacherShape.count) {
        case (3, 3):
            guard studentShape[1...] == teacherShape[1...] else {
                throw ShapeError("spatial sizes differ (\(studentShape[1])×\(studentShape[2]) vs \(teacherShape[1])×\(teacherShape[2])); a 1×1 convolution adapts channels only, so pick nodes of equal height and width")
            }
            layer = Conv2d(inChannels: studentShape[0], outChannels: teacherShape[0], kernel: (1, 1), rng: &rng)
        case (1, 1):
            layer = Linear(inFeatures: studentShape[0], outFeatures: teacherShape[0], rng: &rng)
        default:
            throw ShapeError("cannot adapt shape \(studentShape) to \(teacherShape); hint a [C, H, W] node to a [C, H, W] node of equal height and width, or a flat node to a flat node")
        }
    }

    public var parameters: [Parameter] { layer.parameters.map(\.parameter) }

    /// weight · mean((adapter(s) − t)²) over all elements, and its gradient w.r.t. the student
    /// feature s; accumulates the adapter's own parameter gradients.
    public func loss(student: Tensor, teacher: Tensor, weight: Float) -> LossValue {
        let mapped = layer.forward(student, mode: .train)
        var mse = Loss.meanSquaredError(output: mapped, target: teacher)
        for i in 0..<mse.gradient.count { mse.gradient.storage[i] *= weight }
        return LossValue(loss: weight * mse.loss, gradient: layer.backward(mse.gradient))
    }
}
