import Foundation
import WhittleSupport
import WhittleCompress
import WhittleNN

enum DistillCommand: Command {
    static let name = "distill"
    static let summary = "train the spec's model as the student of a teacher (knowledge distillation)"
    static let help = Help(
        usage: ["whittle distill SPEC -o STUDENT.safetensors [--teacher-model TEACHER.safetensors]",
                "                     [--data DIR] [--epochs N] [--seed S] [--json]"],
        description: """
        Trains the model described by SPEC, from the same initialisation and in the same sample
        order as `whittle train` with the same seed, under the teacher named in the spec's distill
        section (its spec and checkpoint, relative to SPEC's folder), which runs in evaluation mode
        on the same batches. The loss is the sum of the kinds the section turns on:
          response   (1 − α)·CE + α·T²·KL(softmax(teacher/T) ‖ softmax(student/T))
          feature    FitNets hints: a student layer regresses a teacher layer through a learned
                     1×1 convolution (or linear layer for flat outputs), weight · MSE
          relation   RKD distance and angle losses on embedding layers (default: penultimate)
        """,
        options: [
            ("-o, --output FILE", "student checkpoint to write (written atomically; adapters are not saved)"),
            ("--teacher-model FILE", "teacher checkpoint (overrides distill.teacher.model)"),
            ("--data DIR", ".npy or IDX folder, e.g. /usr/share/datasets/fashion-mnist"),
            ("--epochs N", "override train.epochs"),
            ("--seed S", "override train.seed (initialisation, sample order, adapters)"),
            ("--json", "print one JSON object with the per-epoch figures and loss terms"),
        ],
        exitCodes: Help.workOrBadInput)

    static func run(_ args: inout Arguments) throws -> Int32 {
        let bench = try Workbench(&args)
        let output = try args.output("-o", "--output", as: .file)
        let teacherModel = try args.option("--teacher-model")
        let json = args.flag("--json")
        try args.finish()
        guard let output else { throw UsageError(name, "missing -o STUDENT.safetensors") }
        guard let settings = bench.spec.distill else {
            throw SpecError("\(bench.specPath): distill: missing section (add \"distill\": {\"teacher\": {\"spec\": …, \"model\": …}, \"response\": {\"temperature\": 2, \"alpha\": 0.5}})")
        }

        let progress = ProgressLine(quiet: json)
        let (distiller, teacherAccuracy, train, test) = try inFile {
            let teacher = try Distillation.loadTeacher(of: bench.spec, model: teacherModel)
            let student = try bench.graph()
            let distiller = try Distiller(student: student, teacher: teacher, settings: settings, seed: bench.spec.train.seed)
            let train = try bench.data(.train), test = try bench.data(.test)
            return (distiller, Evaluator.evaluate(teacher, on: test, progress: progress).accuracy, train, test)
        }
        progress.clear()
        if !json {
            Console.note("distilling \(bench.spec.name) (\(grouped(distiller.student.parameterCount)) parameters) from a teacher of "
                         + "\(grouped(distiller.teacher.parameterCount)) parameters (test \(percent(teacherAccuracy))) on \(bench.source.summary); "
                         + describe(settings))
        }
        let reports = try distiller.fit(recipe: bench.spec.train, train: train, test: test, progress: progress)
        try Checkpoint.save(distiller.student, to: output)
        let final = Evaluator.evaluate(distiller.student, on: test, progress: progress)
        progress.clear()
        if json {
            try Console.json(Output(
                checkpoint: output, testAccuracy: final.accuracy, testLoss: final.loss, teacherTestAccuracy: teacherAccuracy,
                kinds: settings.kinds, studentParameters: distiller.student.parameterCount,
                teacherParameters: distiller.teacher.parameterCount,
                epochs: zip(reports, distiller.epochTerms).map { EpochOutput($0, terms: DistillTerms($1)) }))
        } else {
            print("test accuracy \(percent(final.accuracy)) (\(test.count.grouped) samples; teacher \(percent(teacherAccuracy))); saved \(output)")
        }
        return 0

        /// Distillation errors name a `distill` field; prefix the spec file.
        func inFile<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as DistillationError { throw SpecError("\(bench.specPath): \(e.description)") }
        }
    }

    static func describe(_ s: DistillSpec) -> String {
        var parts: [String] = []
        if let r = s.response { parts.append("response T=\(r.temperature) α=\(r.alpha)") }
        for h in s.feature ?? [] { parts.append("hint \(h.student)→\(h.teacher) ×\(h.weight)") }
        if let r = s.relation {
            parts.append("relation \(r.student ?? "penultimate")→\(r.teacher ?? "penultimate") distance ×\(r.distance) angle ×\(r.angle)")
        }
        return parts.joined(separator: ", ")
    }
}

extension DistillCommand {
    /// `distill --json`.
    struct Output: Encodable {
        var checkpoint: String
        var testAccuracy: Double
        var testLoss: Double
        var teacherTestAccuracy: Double
        /// The loss kinds the spec turns on: response, feature, relation.
        var kinds: [String]
        var studentParameters: Int
        var teacherParameters: Int
        var epochs: [EpochOutput]
    }
}
