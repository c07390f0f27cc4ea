import XCTest
import Foundation
import WhittleCompress
import WhittleNN
import WhittleTensor

/// The distiller as a whole: its combined gradient through `Graph.backward(extra:)`, every
/// bad set-up as one error naming the field, the spec section, and a short run on the
/// synthetic digits.
final class DistillationTrainingTests: XCTestCase {
    static func spec(_ layers: String, input: String = "[1, 28, 28]", extra: String = "") throws -> Spec {
        try Spec.parse(Data(#"{"name": "m", "input": \#(input), "layers": [\#(layers)]\#(extra)}"#.utf8), file: "m.json")
    }

    static let studentLayers = #"""
    {"name": "conv1", "type": "conv2d", "out_channels": 2, "kernel": 3}, {"name": "relu1", "type": "relu"},
    {"name": "flatten", "type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 6}, {"name": "relu2", "type": "relu"},
    {"name": "fc2", "type": "linear", "out_features": 3}
    """#
    static let teacherLayers = #"""
    {"name": "conv1", "type": "conv2d", "out_channels": 4, "kernel": 3}, {"name": "relu1", "type": "relu"},
    {"name": "pool", "type": "maxpool2d", "kernel": 2},
    {"name": "flatten", "type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 8}, {"name": "relu2", "type": "relu"},
    {"name": "fc2", "type": "linear", "out_features": 3}
    """#

    static func pair() throws -> (student: Graph, teacher: Graph) {
        (try spec(studentLayers, input: "[1, 6, 6]").buildGraph(seed: 1), try spec(teacherLayers, input: "[1, 6, 6]").buildGraph(seed: 2))
    }

    static func settings(response: DistillSpec.Response? = nil, feature: [DistillSpec.Hint]? = nil,
                         relation: DistillSpec.Relation? = nil) -> DistillSpec {
        DistillSpec(teacher: .init(spec: "t.json", model: "t.safetensors"), response: response, feature: feature, relation: relation)
    }

    /// Every kind at once: the student's parameter gradients after `backward(grad, extra:)`
    /// equal finite differences of the total loss (a small step: ReLU and Huber have kinks).
    func testCombinedGradientMatchesFiniteDifferences() throws {
        let (student, teacher) = try Self.pair()
        let distiller = try Distiller(student: student, teacher: teacher, settings: Self.settings(
            response: .init(temperature: 3, alpha: 0.7),
            feature: [.init(student: "relu1", teacher: "relu1", weight: 0.8), .init(student: "fc1", teacher: "relu2", weight: 0.5)],
            relation: .init(distance: 2, angle: 3)), seed: 1)
        XCTAssertEqual(distiller.hints.map { $0.adapter.layer.kind }, ["conv2d", "linear"])
        XCTAssertEqual(distiller.relation.map { [$0.student, $0.teacher] }, [4, 5], "the penultimate nodes: relu2 of each")
        let x = DistillationLossTests.random([5, 1, 6, 6], seed: 9)
        let labels: [Int32] = [0, 2, 1, 1, 0]
        func total() -> Float {
            let logits = student.forward(x, mode: .train)
            return distiller.loss(logits: logits, inputs: x, labels: labels).loss
        }
        student.zeroGrad()
        let logits = student.forward(x, mode: .train)
        let value = distiller.loss(logits: logits, inputs: x, labels: labels)
        XCTAssertEqual(Set(value.extraGradients.keys), ["relu1", "fc1", "relu2"])
        student.backward(value.gradient, extra: value.extraGradients)
        for (_, p) in student.namedParameters {
            let saved = p.value
            DistillationLossTests.checkGradient(saved, p.grad, h: 1e-3, tolerance: 2e-3) { w in
                p.value = w
                defer { p.value = saved }
                return total()
            }
        }
    }

    func testBadSetUpsNameTheField() throws {
        let (student, teacher) = try Self.pair()
        func expect(_ settings: DistillSpec, teacher t: Graph? = nil, _ fragments: [String], line: UInt = #line) {
            XCTAssertThrowsError(try Distiller(student: student, teacher: t ?? teacher, settings: settings), line: line) { error in
                XCTAssertTrue(error is DistillationError, line: line)
                for f in fragments { XCTAssertTrue("\(error)".contains(f), "'\(error)' should contain '\(f)'", line: line) }
                XCTAssertFalse("\(error)".contains("\n"), line: line)
            }
        }
        let response = Self.settings(response: .init())
        let fiveWay = try Self.spec(#"{"type": "flatten"}, {"type": "linear", "out_features": 5}"#, input: "[1, 6, 6]").buildGraph()
        expect(response, teacher: fiveWay, ["distill.teacher", "5 outputs", "student 3"])
        let otherInput = try Self.spec(#"{"type": "flatten"}, {"type": "linear", "out_features": 3}"#, input: "[1, 8, 8]").buildGraph()
        expect(response, teacher: otherInput, ["distill.teacher", "input [1, 8, 8]"])
        expect(Self.settings(feature: [.init(student: "relu9", teacher: "relu1")]), ["distill.feature[0].student", "no layer 'relu9'", "conv1, relu1"])
        expect(Self.settings(feature: [.init(student: "relu1", teacher: "relu1"), .init(student: "fc1", teacher: "fc7")]),
               ["distill.feature[1].teacher", "the teacher has no layer 'fc7'"])
        // relu1 is 2×4×4 in the student, pool 4×2×2 in the teacher.
        expect(Self.settings(feature: [.init(student: "relu1", teacher: "pool")]),
               ["distill.feature[0]", "cannot adapt student 'relu1' [2, 4, 4] to teacher 'pool' [4, 2, 2]", "spatial sizes differ"])
        expect(Self.settings(feature: [.init(student: "fc1", teacher: "pool")]), ["distill.feature[0]", "cannot adapt"])
        expect(Self.settings(relation: .init(student: "emb")), ["distill.relation.student", "no layer 'emb'"])
        let single = try Self.spec(#"{"name": "only", "type": "linear", "out_features": 3}"#, input: "[3]").buildGraph()
        let singleTeacher = try Self.spec(#"{"type": "linear", "out_features": 3}"#, input: "[3]").buildGraph()
        XCTAssertThrowsError(try Distiller(student: single, teacher: singleTeacher, settings: Self.settings(relation: .init()))) {
            XCTAssertTrue("\($0)".contains("distill.relation.student: the student has no layer before its output"), "\($0)")
        }
    }

    func testSpecSectionValidation() throws {
        let layers = #"{"type": "flatten"}, {"type": "linear", "out_features": 10}"#
        func parse(_ distill: String) throws -> Spec { try Self.spec(layers, extra: #", "distill": \#(distill)"#) }
        func expect(_ distill: String, _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try parse(distill), line: line) { error in
                XCTAssertTrue("\(error)".contains(fragment), "'\(error)' should contain '\(fragment)'", line: line)
                XCTAssertTrue("\(error)".hasPrefix("m.json: "), line: line)
            }
        }
        let teacher = #""teacher": {"spec": "t.json", "model": "t.safetensors"}"#
        expect(#"{\#(teacher), "response": {"temperature": 0}}"#, "distill.response.temperature: must be a positive number, got 0.0")
        expect(#"{\#(teacher), "response": {"temperature": -2}}"#, "distill.response.temperature")
        expect(#"{\#(teacher), "response": {"alpha": 1.5}}"#, "distill.response.alpha: must be in [0, 1], got 1.5")
        expect(#"{\#(teacher), "response": {"alpha": -0.1}}"#, "distill.response.alpha")
        expect(#"{\#(teacher)}"#, "distill: names no kind of distillation")
        expect(#"{\#(teacher), "response": {"temprature": 2}}"#, "unknown field 'temprature'")
        expect(#"{\#(teacher), "feature": [{"student": "a", "teacher": "b", "weight": -1}]}"#, "distill.feature[0].weight")
        expect(#"{\#(teacher), "feature": [{"student": "a"}]}"#, "distill.feature[0].teacher: required field is missing")
        expect(#"{\#(teacher), "relation": {"distance": 0, "angle": 0}}"#, "distill.relation: distance and angle weights are both 0")
        expect(#"{"response": {}}"#, "distill.teacher: required field is missing")
        let ok = try parse(#"{"teacher": {"spec": "../t.json"}, "response": {}, "relation": {"angle": 0}}"#)
        XCTAssertEqual(ok.distill?.response, DistillSpec.Response(temperature: 2, alpha: 0.5))
        XCTAssertEqual(ok.distill?.kinds, ["response", "relation"])
        XCTAssertEqual(ok.distill?.teacherPaths(relativeTo: "/a/b").spec, "/a/t.json")
        XCTAssertNil(ok.distill?.teacherPaths(relativeTo: "/a/b").model)
    }

    func testLoadTeacherChecksPathsAndNormalisation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("whittle-distill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let teacherJSON = #"{"name": "t", "input": [1, 6, 6], "layers": [\#(Self.teacherLayers)], "data": {"normalize": {"mean": 0.1307, "std": 0.3081}}}"#
        try teacherJSON.write(to: dir.appendingPathComponent("t.json"), atomically: true, encoding: .utf8)
        let teacher = try Spec.load(dir.appendingPathComponent("t.json").path).buildGraph()
        try Checkpoint.save(teacher, to: dir.appendingPathComponent("t.safetensors").path)
        func student(_ distill: String, normalize: String = #""normalize": {"mean": 0.1307, "std": 0.3081}"#) throws -> Spec {
            let url = dir.appendingPathComponent("s.json")
            try #"{"name": "s", "input": [1, 6, 6], "layers": [\#(Self.studentLayers)], "data": {\#(normalize)}, "distill": \#(distill)}"#
                .write(to: url, atomically: true, encoding: .utf8)
            return try Spec.load(url.path)
        }
        let loaded = try Distillation.loadTeacher(of: try student(#"{"teacher": {"spec": "t.json", "model": "t.safetensors"}, "response": {}}"#))
        XCTAssertEqual(loaded.namedParameters.map(\.parameter.value), teacher.namedParameters.map(\.parameter.value))
        XCTAssertThrowsError(try Distillation.loadTeacher(of: try student(#"{"teacher": {"spec": "t.json"}, "response": {}}"#))) {
            XCTAssertTrue("\($0)".contains("distill.teacher.model: no teacher checkpoint"), "\($0)")
        }
        XCTAssertNoThrow(try Distillation.loadTeacher(of: try student(#"{"teacher": {"spec": "t.json"}, "response": {}}"#),
                                                      model: dir.appendingPathComponent("t.safetensors").path))
        XCTAssertThrowsError(try Distillation.loadTeacher(of: try student(#"{"teacher": {"spec": "t.json", "model": "t.safetensors"}, "response": {}}"#,
                                                                          normalize: #""normalize": {"mean": 0.5, "std": 0.5}"#))) {
            XCTAssertTrue("\($0)".contains("normalises inputs with mean 0.1307"), "\($0)")
        }
        XCTAssertThrowsError(try Distillation.loadTeacher(of: try student(#"{"teacher": {"spec": "none.json", "model": "t.safetensors"}, "response": {}}"#))) {
            XCTAssertTrue("\($0)".contains("none.json: cannot read the spec file"), "\($0)")
        }
    }

    /// Teacher trained briefly on the synthetic digits; the student learns under all three kinds.
    func testShortDistillationRunOnSyntheticDigits() throws {
        let data = #", "data": {"synthetic": {"train": 1200, "test": 300}}, "train": {"epochs": 2, "batch_size": 32, "seed": 4, "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}"#
        let teacherSpec = try Self.spec(#"""
            {"name": "conv1", "type": "conv2d", "out_channels": 6, "kernel": 5}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
            {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 32}, {"name": "relu", "type": "relu"},
            {"name": "fc2", "type": "linear", "out_features": 10}
            """#, extra: data)
        let studentSpec = try Self.spec(#"""
            {"name": "conv1", "type": "conv2d", "out_channels": 2, "kernel": 5}, {"type": "relu"}, {"type": "maxpool2d", "kernel": 2},
            {"type": "flatten"}, {"name": "fc1", "type": "linear", "out_features": 16}, {"name": "relu", "type": "relu"},
            {"name": "fc2", "type": "linear", "out_features": 10}
            """#, extra: data)
        let source = DataSource.resolve(studentSpec, override: nil)
        let train = try source.load(.train, spec: studentSpec), test = try source.load(.test, spec: studentSpec)
        let teacher = try teacherSpec.buildGraph()
        _ = try Trainer(graph: teacher, recipe: teacherSpec.train).fit(train: train, test: nil)
        let settings = Self.settings(response: .init(temperature: 4, alpha: 0.9),
                                     feature: [.init(student: "conv1", teacher: "conv1", weight: 0.1)],
                                     relation: .init(distance: 1, angle: 2))
        func run() throws -> (Graph, [EpochReport]) {
            let student = try studentSpec.buildGraph()
            return (student, try Distillation.train(student: student, teacher: teacher, settings: settings, recipe: studentSpec.train,
                                                    train: train, test: test))
        }
        let (student, reports) = try run()
        XCTAssertEqual(reports.count, 2)
        XCTAssertTrue(reports.allSatisfy { $0.loss.isFinite })
        XCTAssertLessThan(reports[1].loss, reports[0].loss)
        XCTAssertGreaterThan(reports[1].testAccuracy ?? 0, 0.5)
        // Same seed, same run: bit-identical student.
        let (again, _) = try run()
        XCTAssertEqual(student.namedParameters.map(\.parameter.value), again.namedParameters.map(\.parameter.value))
    }

    func testTermsAreReportedPerEpoch() throws {
        let (student, teacher) = try Self.pair()
        let distiller = try Distiller(student: student, teacher: teacher, settings: Self.settings(
            response: .init(), feature: [.init(student: "fc1", teacher: "fc1")], relation: .init()))
        let x = DistillationLossTests.random([12, 1, 6, 6], seed: 3)
        let data = Dataset(name: "tiny", sampleShape: [1, 6, 6], values: .floats(x.storage), labels: (0..<12).map { Int32($0 % 3) },
                           classes: 3, normalization: Normalization(scale: 1, mean: 0, std: 1))
        var recipe = TrainSpec()
        recipe.epochs = 2
        recipe.batchSize = 4
        let before = distiller.adapterParameters.map(\.value)
        _ = try distiller.fit(recipe: recipe, train: data, test: nil)
        XCTAssertEqual(distiller.epochTerms.count, 2)
        XCTAssertEqual(Set(distiller.epochTerms[0].keys), ["cross_entropy", "response", "feature", "distance", "angle"])
        XCTAssertNotEqual(distiller.adapterParameters.map(\.value), before, "adapters train with the student")
    }

    /// The example recipes: they parse, their teacher spec resolves next to them, and every
    /// layer they name exists with a shape an adapter can bridge (no checkpoint needed).
    func testExampleRecipesResolveAgainstTheirTeacher() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path)
            .filter { $0.hasPrefix("distill-") && $0.hasSuffix(".json") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for file in files {
            let spec = try Spec.load(examples.appendingPathComponent(file).path)
            let settings = try XCTUnwrap(spec.distill, file)
            let teacherSpec = try Spec.load(settings.teacherPaths(relativeTo: spec.baseDirectory).spec)
            let student = try spec.buildGraph()
            XCTAssertEqual(student.parameterCount, 11_418, file)
            XCTAssertNoThrow(try Distiller(student: student, teacher: try teacherSpec.buildGraph(), settings: settings), file)
        }
    }
}
