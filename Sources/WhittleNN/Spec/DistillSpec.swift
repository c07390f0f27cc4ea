import Foundation

/// The spec's `distill` section: train the spec's model as a student of a teacher (a spec plus
/// a checkpoint). Each kind of distillation is a sub-section; any combination may be given:
///
/// ```json
/// "distill": {
///   "teacher": {"spec": "fashion-teacher.json", "model": "fashion-teacher.safetensors"},
///   "response": {"temperature": 2, "alpha": 0.5},
///   "feature": [{"student": "relu3", "teacher": "relu3", "weight": 1}],
///   "relation": {"student": "relu4", "teacher": "relu4", "distance": 25, "angle": 50}
/// }
/// ```
///
/// The loss is (1 − α)·CE + α·T²·KL(softmax(t/T) ‖ softmax(s/T)) (α = 0 without `response`)
/// + Σ hint weight · MSE(adapter(student node), teacher node)
/// + distance · RKD distance loss + angle · RKD angle loss.
public struct DistillSpec: Codable, Equatable, Sendable {
    /// The teacher: its spec and its checkpoint, paths relative to the distilling spec's folder.
    public struct Teacher: Codable, Equatable, Sendable {
        public var spec: String
        /// May be left out when the command line gives it (`--teacher-model`).
        public var model: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case spec, model }

        public init(spec: String, model: String?) { self.spec = spec; self.model = model }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "distill.teacher")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            spec = try c.decode(String.self, forKey: .spec)
            model = try c.decodeIfPresent(String.self, forKey: .model)
        }
    }

    /// Response distillation (Hinton et al. 2015) on the logits.
    public struct Response: Codable, Equatable, Sendable {
        /// Softens both distributions; the KL term is scaled by T² so its gradients keep their size.
        /// (The defaults, T = 2 and α = 0.5, were the best measured on Fashion-MNIST; see README.)
        public var temperature: Double = 2
        /// Weight of the teacher term; 1 − α weighs the cross-entropy with the labels.
        public var alpha: Double = 0.5

        enum CodingKeys: String, CodingKey, CaseIterable { case temperature, alpha }

        public init(temperature: Double = 2, alpha: Double = 0.5) { self.temperature = temperature; self.alpha = alpha }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "distill.response")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? 2
            alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.5
        }
    }

    /// A FitNets hint (Romero et al. 2015): the student node, through a learned adapter (1×1
    /// convolution for [C, H, W] outputs, linear for flat ones), regresses the teacher node.
    public struct Hint: Codable, Equatable, Sendable {
        public var student: String
        public var teacher: String
        /// Weight of the mean squared error.
        public var weight: Double = 1

        enum CodingKeys: String, CodingKey, CaseIterable { case student, teacher, weight }

        public init(student: String, teacher: String, weight: Double = 1) {
            self.student = student; self.teacher = teacher; self.weight = weight
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "a distill.feature hint")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            student = try c.decode(String.self, forKey: .student)
            teacher = try c.decode(String.self, forKey: .teacher)
            weight = try c.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        }
    }

    /// Relational knowledge distillation (Park et al. 2019) on embedding nodes.
    public struct Relation: Codable, Equatable, Sendable {
        /// Embedding nodes; nil: the node feeding the model's last layer (the penultimate).
        public var student: String?
        public var teacher: String?
        /// Weights of the distance and angle losses (the paper's 25 and 50).
        public var distance: Double = 25
        public var angle: Double = 50

        enum CodingKeys: String, CodingKey, CaseIterable { case student, teacher, distance, angle }

        public init(student: String? = nil, teacher: String? = nil, distance: Double = 25, angle: Double = 50) {
            self.student = student; self.teacher = teacher; self.distance = distance; self.angle = angle
        }

        public init(from decoder: Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "distill.relation")
            let c = try decoder.container(keyedBy: CodingKeys.self)
            student = try c.decodeIfPresent(String.self, forKey: .student)
            teacher = try c.decodeIfPresent(String.self, forKey: .teacher)
            distance = try c.decodeIfPresent(Double.self, forKey: .distance) ?? 25
            angle = try c.decodeIfPresent(Double.self, forKey: .angle) ?? 50
        }
    }

    public var teacher: Teacher
    public var response: Response?
    public var feature: [Hint]?
    public var relation: Relation?

    enum CodingKeys: String, CodingKey, CaseIterable { case teacher, response, feature, relation }

    public init(teacher: Teacher, response: Response? = nil, feature: [Hint]? = nil, relation: Relation? = nil) {
        self.teacher = teacher; self.response = response; self.feature = feature; self.relation = relation
    }

    public init(from decoder: Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue), in: "distill")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        teacher = try c.decode(Teacher.self, forKey: .teacher)
        response = try c.decodeIfPresent(Response.self, forKey: .response)
        feature = try c.decodeIfPresent([Hint].self, forKey: .feature)
        relation = try c.decodeIfPresent(Relation.self, forKey: .relation)
    }

    /// The kinds this section turns on, in loss order ("response", "feature", "relation").
    public var kinds: [String] {
        (response == nil ? [] : ["response"]) + ((feature ?? []).isEmpty ? [] : ["feature"]) + (relation == nil ? [] : ["relation"])
    }

    /// The teacher's spec and checkpoint paths, relative ones taken from `base` (the spec's folder).
    public func teacherPaths(relativeTo base: String) -> (spec: String, model: String?) {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardized.path
        }
        return (resolve(teacher.spec), teacher.model.map(resolve))
    }

    func validate(_ fail: (String, String) -> SpecError) throws {
        guard !teacher.spec.isEmpty else { throw fail("teacher.spec", "must name the teacher's spec file") }
        guard !kinds.isEmpty else {
            throw fail("", "names no kind of distillation (add response, feature or relation)")
        }
        if let r = response {
            guard r.temperature > 0, r.temperature.isFinite else {
                throw fail("response.temperature", "must be a positive number, got \(r.temperature)")
            }
            guard r.alpha >= 0, r.alpha <= 1 else { throw fail("response.alpha", "must be in [0, 1], got \(r.alpha)") }
        }
        for (i, hint) in (feature ?? []).enumerated() {
            guard hint.weight >= 0, hint.weight.isFinite else {
                throw fail("feature[\(i)].weight", "must be a finite number ≥ 0, got \(hint.weight)")
            }
        }
        if let r = relation {
            guard r.distance >= 0, r.distance.isFinite else { throw fail("relation.distance", "must be a finite number ≥ 0, got \(r.distance)") }
            guard r.angle >= 0, r.angle.isFinite else { throw fail("relation.angle", "must be a finite number ≥ 0, got \(r.angle)") }
            guard r.distance + r.angle > 0 else { throw fail("relation", "distance and angle weights are both 0") }
        }
    }
}
