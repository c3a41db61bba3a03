// The shape of every subcommand: a spec (options and help) and a run function.
// One file per subcommand (InfoCommand.swift, TrainCommand.swift, ...); the list
// of subcommands is in main.swift.
import ArgumentParsing
import Foundation

protocol Subcommand {
    static var spec: CommandSpec { get }
    /// Runs with parsed arguments; returns the exit status.
    static func run(_ arguments: ParsedArguments) throws -> Int32
}

/// An error a subcommand reports to the user: printed as "cadenza COMMAND: <message>",
/// exit 1 (ExitStatus.failure) unless it says otherwise.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitStatus: Int32
    init(_ message: String, exitStatus: Int32 = ExitStatus.failure) {
        self.description = message
        self.exitStatus = exitStatus
    }

    /// A wrong command line (a bad value, options that exclude each other): exit 2.
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message, exitStatus: ExitStatus.usage) }
}

/// Writes to standard error without buffering.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
