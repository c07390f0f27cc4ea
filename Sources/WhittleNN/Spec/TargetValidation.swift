extension Spec {
    /// The checks that tie `train.target` to the rest of the spec: a reconstruction's output
    /// must hold as many values as the input (the model is built to see), normal classes only
    /// mean something to an anomaly detector, and distillation's losses need labels.
    func validateTarget(file: String) throws {
        guard train.target == .input else {
            if data.normalClasses != nil {
                throw SpecError("\(file): data.normal_classes: needs train.target \"input\" (an autoencoder)")
            }
            return
        }
        if distill != nil { throw SpecError("\(file): distill: needs train.target \"labels\" (distillation compares class outputs)") }
        let output = try buildGraph(seed: 0, file: file).outputShape
        guard output.reduce(1, *) == input.reduce(1, *) else {
            throw SpecError("\(file): train.target: \"input\" needs the model's output to hold the input's \(input.reduce(1, *)) values \(input), but it is \(output)")
        }
    }
}
