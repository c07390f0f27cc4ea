import Foundation
import WhittleSupport

/// The command line as a library: `whittle`'s main calls `run`, and so can tests, which then test
/// the code they were built with rather than whatever binary an earlier build left behind.
public enum WhittleMain {
    /// Runs one command line (the arguments after the program name): dispatches to a command,
    /// prints its results on stdout and messages on stderr, turns an error into one line on
    /// stderr, and removes the temporaries the command made. Returns the exit code: 0 success,
    /// 1 a check failed, 2 bad input or usage. Installs no signal handler and never exits: that
    /// is the executable's business.
    public static func run(_ arguments: [String]) -> Int32 {
        defer { Temporaries.removeAll() }
        var argv = arguments
        guard let verb = argv.first, !["--help", "-h", "help"].contains(verb) else {
            print(usage)
            return argv.isEmpty ? 2 : 0
        }
        if verb == "--version" {
            print(Version.description)
            return 0
        }
        argv.removeFirst()
        guard let command = allCommands.first(where: { $0.name == verb }) else {
            Console.error("unknown command '\(verb)'; commands: \(allCommands.map { $0.name }.joined(separator: ", "))")
            return 2
        }
        var args = Arguments(command: verb, tokens: argv)
        if args.wantsHelp {
            print(command.help.text)
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

    /// `whittle --help`: one line per command.
    static var usage: String {
        var text = "usage: whittle <command> [options]\n       whittle --version\n\ncommands:\n"
        for c in allCommands { text += "  " + c.name.padding(toLength: 10, withPad: " ", startingAt: 0) + c.summary + "\n" }
        text += "\nRun 'whittle <command> --help' for a command's options."
        return text
    }
}
