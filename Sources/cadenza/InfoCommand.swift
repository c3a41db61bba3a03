// `cadenza info FILE...`: what a MIDI file holds. (Placeholder until the MIDI reader lands.)
import ArgumentParsing
import MIDI

enum InfoCommand: Subcommand {
    static let spec = CommandSpec(
        name: "info", summary: "Show what MIDI files hold (tracks, notes, tempo, bars)",
        usage: "info FILE... [--json]",
        options: [OptionSpec("json", help: "Print JSON instead of text")],
        positionals: [("FILE...", "MIDI files to describe")], minPositionals: 1, maxPositionals: nil)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw CommandFailure("not implemented yet")
    }
}
