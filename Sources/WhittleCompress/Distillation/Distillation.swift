import Foundation
import WhittleNN
import WhittleTensor

/// Knowledge distillation as a stage of a recipe: load the teacher a spec names, then train a
/// student under it. `Distiller` holds the losses; this is the entry point.
public enum Distillation {
    /// Trains `student` under `teacher` with the losses `settings` turns on and the `recipe`'s
    /// optimizer, schedule, epochs and sample order; returns the per-epoch figures.
    public static func train(student: Graph, teacher: Graph, settings: DistillSpec, recipe: TrainSpec,
                             train: Dataset, test: Dataset?, progress: ProgressLine? = nil) throws -> [EpochReport] {
        let distiller = try Distiller(student: student, teacher: teacher, settings: settings, seed: recipe.seed)
        return try distiller.fit(recipe: recipe, train: train, test: test, progress: progress)
    }

    /// The teacher `spec.distill` names, with its weights: its spec and checkpoint paths are
    /// taken relative to the student spec's folder; `model` (e.g. `--teacher-model`) overrides
    /// the checkpoint. The teacher must read its inputs normalised as the student does.
    public static func loadTeacher(of spec: Spec, model: String? = nil) throws -> Graph {
        guard let settings = spec.distill else {
            throw DistillationError("spec '\(spec.name)' has no distill section (add \"distill\": {\"teacher\": …, \"response\": {…}})")
        }
        let paths = settings.teacherPaths(relativeTo: spec.baseDirectory)
        guard let checkpoint = model ?? paths.model else {
            throw DistillationError("distill.teacher.model: no teacher checkpoint (name it in the spec or give --teacher-model)")
        }
        let teacherSpec = try Spec.load(paths.spec)
        let mine = spec.data.normalize.map { ($0.mean, $0.std) } ?? (0.5, 0.5)
        let theirs = teacherSpec.data.normalize.map { ($0.mean, $0.std) } ?? (0.5, 0.5)
        guard mine == theirs else {
            throw DistillationError("distill.teacher: \(paths.spec) normalises inputs with mean \(theirs.0), std \(theirs.1) but the student with mean \(mine.0), std \(mine.1); the teacher sees the student's batches, so use the same data.normalize")
        }
        let graph = try teacherSpec.buildGraph(file: paths.spec)
        try Checkpoint.load(checkpoint, into: graph)
        return graph
    }
}
