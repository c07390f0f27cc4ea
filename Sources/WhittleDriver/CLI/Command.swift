/// One verb of the command line. Each command lives in its own file under Commands/ and is
/// listed once in `allCommands`.
protocol Command {
    static var name: String { get }
    /// One line for `whittle --help`.
    static var summary: String { get }
    /// `whittle NAME --help`.
    static var help: Help { get }
    /// Runs the command; returns the process exit code.
    static func run(_ args: inout Arguments) throws -> Int32
}

let allCommands: [Command.Type] = [
    TrainCommand.self,
    DistillCommand.self,
    EvalCommand.self,
    InspectCommand.self,
    QuantizeCommand.self,
    ImportCommand.self,
    ExportCommand.self,
    PruneCommand.self,
    EmitCommand.self,
    VerifyCommand.self,
    RunCommand.self,
    DemoCommand.self,
    ReportCommand.self,
    BenchCommand.self,
]
