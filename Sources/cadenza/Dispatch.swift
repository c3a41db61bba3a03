// The command list and the dispatch to a subcommand, with the exit status of each kind of
// error (see ExitStatus). main.swift calls runMain; tests call it too.
import ArgumentParsing
import FileSafety
import Foundation

let version = "0.1.0"

/// Every subcommand, in the order `cadenza --help` lists them. The first is the default.
let subcommands: [Subcommand.Type] = [
    ComposeCommand.self,
    InfoCommand.self,
    TrainCommand.self,
    BenchCommand.self,
    TokenizeCommand.self,
    EvalCommand.self,
    GenerateCommand.self,
    StatsCommand.self,
    PlayCommand.self,
    PortsCommand.self,
    RenderCommand.self,
]

func topLevelHelp() -> String {
    var out = """
    cadenza \(version): a terminal composer for classical piano music.

    Usage: cadenza [COMMAND] [OPTIONS]
           cadenza COMMAND --help

    Commands:

    """
    for command in subcommands {
        out += CommandSpec.row(command.spec.name, command.spec.summary)
    }
    out += "\nOptions:\n" + CommandSpec.row("-h, --help", "Show this help") + CommandSpec.row("-V, --version", "Print the version")
    out += "\n" + CommandSpec(name: "", summary: "", usage: "", usesDevices: true).exitStatusText()
    return out
}

func runMain(_ argv: [String]) -> Int32 {
    var args = argv
    if args.first == "--version" || args.first == "-V" { print("cadenza \(version)"); return 0 }
    if args.first == "--help" || args.first == "-h" || args.first == "help" {
        if args.count > 1, let c = subcommands.first(where: { $0.spec.name == args[1] }) {
            print(c.spec.helpText(), terminator: "")
        } else {
            print(topLevelHelp(), terminator: "")
        }
        return 0
    }
    let command: Subcommand.Type
    if let first = args.first, !first.hasPrefix("-") {
        guard let c = subcommands.first(where: { $0.spec.name == first }) else {
            let e = ArgumentError.unknownCommand(first, suggestion: ArgumentParser.suggestion(for: first, among: subcommands.map { $0.spec.name }))
            printError("cadenza: \(e)")
            return ExitStatus.usage
        }
        command = c
        args.removeFirst()
    } else if let compose = subcommands.first(where: { $0.spec.name == "compose" }) {
        command = compose
    } else {
        print(topLevelHelp(), terminator: "")
        return 0
    }
    do {
        let parsed = try ArgumentParser.parse(args, spec: command.spec)
        if parsed.helpRequested { print(command.spec.helpText(), terminator: ""); return 0 }
        return try command.run(parsed)
    } catch let e as ArgumentError {
        printError("cadenza \(command.spec.name): \(e)\nSee 'cadenza \(command.spec.name) --help'.")
        return ExitStatus.usage
    } catch let e as CommandFailure {
        printError("cadenza \(command.spec.name): \(e.description)")
        return e.exitStatus
    } catch {
        printError("cadenza \(command.spec.name): \(error)")
        return ExitStatus.failure
    }
}
