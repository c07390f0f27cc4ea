import Foundation
import WhittleSupport

/// Entry point: dispatch to a command, turn errors into one line on stderr and an exit code
/// (0 success, 1 a check failed, 2 bad input or usage).
func topLevelUsage() -> String {
    var text = "usage: whittle <command> [options]\n\ncommands:\n"
    for c in allCommands { text += "  " + c.name.padding(toLength: 10, withPad: " ", startingAt: 0) + c.summary + "\n" }
    text += "\nRun 'whittle <command> --help' for a command's options."
    return text
}

func runMain() -> Int32 {
    var argv = Array(CommandLine.arguments.dropFirst())
    guard let verb = argv.first, !["--help", "-h", "help"].contains(verb) else {
        print(topLevelUsage())
        return argv.isEmpty ? 2 : 0
    }
    argv.removeFirst()
    guard let command = allCommands.first(where: { $0.name == verb }) else {
        Console.error("unknown command '\(verb)'; commands: \(allCommands.map { $0.name }.joined(separator: ", "))")
        return 2
    }
    var args = Arguments(command: verb, tokens: argv)
    if args.wantsHelp {
        print(command.usage)
        return 0
    }
    do {
        return try command.run(&args)
    } catch let failure as CheckFailed {
        Console.error(failure.description)
        return 1
    } catch {
        Console.error(String(describing: error))
        return 2
    }
}

// Temporaries are removed on every exit that runs code: return, thrown error, SIGINT/TERM/HUP.
Temporaries.removeOnTerminatingSignals()
let status = runMain()
Temporaries.removeAll()
exit(status)
