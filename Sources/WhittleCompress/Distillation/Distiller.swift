import Foundation
import WhittleNN
import WhittleTensor

/// One distillation set-up: the student, the teacher (run in evaluation mode on the student's
/// batches), the hint adapters, and the combined loss of `DistillSpec`. Every name and shape is
/// checked when it is built, so training cannot fail half-way on a bad spec.
public final class Distiller {
    /// A FitNets hint resolved to node indices, with its adapter.
    public struct ResolvedHint {
        public let hint: DistillSpec.Hint
        public let student: Int, teacher: Int
        public let adapter: HintAdapter
    }

    public let student: Graph
    public let teacher: Graph
    public let settings: DistillSpec
    public let hints: [ResolvedHint]
    /// Embedding nodes of relational distillation (student, teacher).
    public let relation: (student: Int, teacher: Int)?
    /// Mean of every loss term per finished epoch ("cross_entropy", "response", "feature",
    /// "distance", "angle"; unweighted values, the weights are in the spec).
    public private(set) var epochTerms: [[String: Double]] = []
    private var termSums: [String: Double] = [:]
    private var batches = 0

    /// `seed` initialises the adapters (its "distill.adapters" stream).
    public init(student: Graph, teacher: Graph, settings: DistillSpec, seed: UInt64 = 0) throws {
        self.student = student; self.teacher = teacher; self.settings = settings
        let classes = student.outputShape.reduce(1, *), teacherClasses = teacher.outputShape.reduce(1, *)
        guard teacherClasses == classes else {
            throw DistillationError("distill.teacher: the teacher has \(teacherClasses) outputs but the student \(classes); both must score the same classes")
        }
        guard teacher.inputShape == student.inputShape else {
            throw DistillationError("distill.teacher: the teacher takes input \(teacher.inputShape) but the student \(student.inputShape); both must read the same samples")
        }
        var rng = RNG(seed: seed).derived("distill.adapters")
        hints = try (settings.feature ?? []).enumerated().map { i, hint in
            let field = "distill.feature[\(i)]"
            let s = try Distiller.node(hint.student, in: student, "\(field).student", "student")
            let t = try Distiller.node(hint.teacher, in: teacher, "\(field).teacher", "teacher")
            let from = student.nodes[s].outputShape, to = teacher.nodes[t].outputShape
            do {
                let adapter = try HintAdapter(studentShape: from, teacherShape: to, rng: &rng)
                return ResolvedHint(hint: hint, student: s, teacher: t, adapter: adapter)
            } catch let e as ShapeError {
                throw DistillationError("\(field): cannot adapt student '\(hint.student)' \(from) to teacher '\(hint.teacher)' \(to): \(e.description)")
            }
        }
        relation = try settings.relation.map { r in
            (try Distiller.embedding(r.student, in: student, "distill.relation.student", "student"),
             try Distiller.embedding(r.teacher, in: teacher, "distill.relation.teacher", "teacher"))
        }
        // The losses read these outputs of the student's training passes.
        student.keptActivations.formUnion(hints.map(\.student) + [relation?.student].compactMap { $0 })
    }

    /// The adapters' parameters, trained with the student's.
    public var adapterParameters: [Parameter] { hints.flatMap(\.adapter.parameters) }

    /// The distillation loss of one batch; call after `student.forward(inputs, mode: .train)`
    /// (it reads the student's activations). Runs the teacher on the same inputs.
    public func loss(logits: Tensor, inputs: Tensor, labels: [Int32]) -> LossValue {
        teacher.forward(inputs, mode: .eval)
        let teacherLogits = teacher.output(of: teacher.logitsIndex, input: inputs) // before a final softmax, as the student's
        var total: LossValue
        if let r = settings.response {
            total = ResponseDistillation.loss(student: logits, teacher: teacherLogits, labels: labels,
                                              temperature: Float(r.temperature), alpha: Float(r.alpha))
            record("cross_entropy", Loss.softmaxCrossEntropy(logits: logits, labels: labels).loss)
            record("response", ResponseDistillation.softenedKL(student: logits, teacher: teacherLogits, temperature: Float(r.temperature)).loss)
        } else {
            total = Loss.softmaxCrossEntropy(logits: logits, labels: labels)
            record("cross_entropy", total.loss)
        }
        func inject(_ term: LossValue, at node: Int, weight: Float, _ name: String) {
            record(name, term.loss)
            total.loss += weight * term.loss
            var g = term.gradient
            if weight != 1 { for i in 0..<g.count { g.storage[i] *= weight } }
            let key = student.nodes[node].name
            if let existing = total.extraGradients[key] {
                for i in 0..<g.count { g.storage[i] += existing.storage[i] }
            }
            total.extraGradients[key] = g
        }
        for h in hints {
            let term = h.adapter.loss(student: student.activations[h.student], teacher: teacher.activations[h.teacher], weight: 1)
            inject(term, at: h.student, weight: Float(h.hint.weight), "feature")
        }
        if let (s, t) = relation, let r = settings.relation {
            let es = student.activations[s], et = teacher.activations[t]
            let n = es.shape[0]
            let flatS = es.reshaped([n, es.count / n]), flatT = et.reshaped([n, et.count / n])
            if r.distance > 0 {
                var term = RelationalDistillation.distanceLoss(student: flatS, teacher: flatT)
                term.gradient = term.gradient.reshaped(es.shape)
                inject(term, at: s, weight: Float(r.distance), "distance")
            }
            if r.angle > 0 {
                var term = RelationalDistillation.angleLoss(student: flatS, teacher: flatT)
                term.gradient = term.gradient.reshaped(es.shape)
                inject(term, at: s, weight: Float(r.angle), "angle")
            }
        }
        batches += 1
        return total
    }

    /// Trains the student for `recipe.epochs` with the distillation loss (the adapters with it),
    /// evaluating on `test` after each epoch when given.
    public func fit(recipe: TrainSpec, train: Dataset, test: Dataset?, progress: ProgressLine? = nil) throws -> [EpochReport] {
        let trainer = Trainer(graph: student, recipe: recipe)
        trainer.label = "distill"
        trainer.progress = progress
        trainer.extraParameters = adapterParameters
        trainer.objective = { [unowned self] logits, inputs, labels in loss(logits: logits, inputs: inputs, labels: labels) }
        trainer.beforeEpoch.append { [unowned self] epoch in if epoch > 0 { closeEpoch(progress) } }
        let reports = try trainer.fit(train: train, test: test)
        if recipe.epochs > 0 { closeEpoch(progress) }
        return reports
    }

    private func record(_ term: String, _ value: Float) { termSums[term, default: 0] += Double(value) }

    /// Stores the epoch's mean terms and prints them under the trainer's epoch line.
    private func closeEpoch(_ progress: ProgressLine?) {
        let terms = termSums.mapValues { $0 / Double(max(batches, 1)) }
        epochTerms.append(terms)
        termSums = [:]
        batches = 0
        progress?.finish("  loss terms: " + terms.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: "  "))
    }

    private static func node(_ name: String, in graph: Graph, _ field: String, _ role: String) throws -> Int {
        guard let i = graph.index(of: name) else {
            throw DistillationError("\(field): the \(role) has no layer '\(name)' (its layers: \(graph.nodes.map(\.name).joined(separator: ", ")))")
        }
        return i
    }

    /// The named node, or the one feeding the last layer (the penultimate embedding).
    private static func embedding(_ name: String?, in graph: Graph, _ field: String, _ role: String) throws -> Int {
        if let name { return try node(name, in: graph, field, role) }
        guard let last = graph.nodes.last, let feed = last.inputs.first, feed != Graph.input else {
            throw DistillationError("\(field): the \(role) has no layer before its output; name the embedding layer")
        }
        return feed
    }
}

/// A distillation set-up that cannot work: one line naming the `distill` field.
public struct DistillationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
