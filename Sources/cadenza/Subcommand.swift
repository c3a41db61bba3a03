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

/// An error a subcommand reports to the user: printed as "cadenza: <message>", exit 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitStatus: Int32 = 1
    init(_ message: String, exitStatus: Int32 = 1) {
        self.description = message
        self.exitStatus = exitStatus
    }
}

/// Writes to standard error without buffering.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
