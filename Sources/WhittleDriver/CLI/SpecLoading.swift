import WhittleNN
import WhittleTensor

/// Shared by the commands that take a SPEC: load it, apply command-line overrides, load data.
struct Workbench {
    var spec: Spec
    let specPath: String
    let dataOverride: String?

    /// Reads the common options (--data, --epochs, --seed) and the SPEC positional.
    init(_ args: inout Arguments) throws {
        specPath = try args.positional("SPEC (a JSON model spec, e.g. examples/lenet.json)")
        spec = try Spec.load(specPath)
        dataOverride = try args.option("--data")
        if let e = try args.int("--epochs") {
            guard e >= 0 else { throw UsageError(args.command, "--epochs must be 0 or more") }
            spec.train.epochs = e
        }
        if let s = try args.int("--seed") {
            guard s >= 0 else { throw UsageError(args.command, "--seed must be 0 or more") }
            spec.train.seed = UInt64(s)
        }
    }

    var source: DataSource { DataSource.resolve(spec, override: dataOverride) }

    func data(_ split: IDXDataset.Split) throws -> Dataset { try source.load(split, spec: spec) }

    func graph() throws -> Graph { try spec.buildGraph(file: specPath) }

    /// The spec's model with weights from a checkpoint (its widths taken from the checkpoint, so
    /// structurally pruned models load; see `Spec.adapted(toCheckpoint:)`).
    func graph(loading model: String) throws -> Graph { try masked(loading: model).graph }

    /// Like `graph(loading:)`, also returning the pruning masks the checkpoint carries.
    func masked(loading model: String) throws -> (graph: Graph, masks: [String: Tensor]) {
        let g = try spec.adapted(toCheckpoint: model).buildGraph(file: specPath)
        let masks = try Checkpoint.load(model, into: g)
        return (g, masks)
    }
}
