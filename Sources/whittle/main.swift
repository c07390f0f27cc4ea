import Foundation
import WhittleDriver
import WhittleSupport

// Temporaries are removed on every exit that runs code: return, thrown error (WhittleMain.run
// removes them), and SIGINT/TERM/HUP (this handler, which only a process may install).
Temporaries.removeOnTerminatingSignals()
exit(WhittleMain.run(Array(CommandLine.arguments.dropFirst())))
