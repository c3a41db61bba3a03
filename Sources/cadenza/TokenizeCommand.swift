// `cadenza tokenize FILE.mid [--ids] [--roundtrip OUT.mid] [--style NAME]` and
// `cadenza tokenize --report DIR`: shows what the tokenizer makes of MIDI files; `--export`
// and `--merge` (TokenizeExport.swift) write token shards for other trainers.
// Parsing and printing only; the work is in the Tokenization and Training modules.
import ArgumentParsing
import Foundation
import MIDI
import Tokenization

enum TokenizeCommand: Subcommand {
    static let spec = CommandSpec(
        name: "tokenize", summary: "Show the tokens of a MIDI file, or measure the tokenizer on a corpus",
        usage: """
        tokenize FILE.mid [--ids] [--roundtrip OUT.mid] [--style NAME] | tokenize --report DIR
               | tokenize --export OUT_DIR DATA_DIR... [--shard I/N] [--styles] [--val-split F] | tokenize --merge OUT_DIR
        """,
        options: [
            OptionSpec("ids", help: "Print the token ids as a JSON array instead of text"),
            OptionSpec("roundtrip", value: "OUT.mid", help: "Write the decoded tokens as a MIDI file"),
            OptionSpec("style", value: "NAME", help: "Add a STYLE token (e.g. a composer's name)"),
            OptionSpec("report", value: "DIR", help: "Round-trip every MIDI file under DIR; print a table per folder"),
            OptionSpec("steps-per-quarter", value: "N", default: "12", help: "Onset grid (for measuring other configurations)"),
            OptionSpec("tempo-bins-per-octave", value: "N", default: "8", help: "Tempo bins per doubling of tempo (for measuring)"),
            OptionSpec("tempo-per-event", help: "Follow the tempo map event by event, not one tempo per bar (for measuring)"),
        ] + TokenizeExport.options,
        positionals: [("FILE.mid", "A MIDI file to tokenize (with --export: the folders DATA_DIR...)")], minPositionals: 0, maxPositionals: nil,
        requiredInputs: [["FILE.mid"], ["report"], ["export", "FILE.mid"], ["merge"]],
        discussion: """
        Text output has one bar a line: BAR TS_3/4 TEMPO_96 POS_0 VEL_64 PITCH_60 DUR_12 ...
        \(TokenizeExport.discussion)
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        if let status = try TokenizeExport.run(arguments) { return status }
        guard arguments.positionals.count <= 1 else { throw CommandFailure("give one MIDI file (several folders only with --export)", exitStatus: 2) }
        var configuration = TokenizerConfiguration.default
        if arguments.has("steps-per-quarter") || arguments.has("tempo-bins-per-octave") || arguments.has("tempo-per-event") {
            let steps = try arguments.int("steps-per-quarter")
            let bins = try arguments.int("tempo-bins-per-octave")
            guard [12, 24].contains(steps) else { throw CommandFailure.usage("--steps-per-quarter must be 12 or 24") }
            guard (1...32).contains(bins) else { throw CommandFailure.usage("--tempo-bins-per-octave must be 1...32") }
            configuration = .make(stepsPerQuarter: steps, tempoBinsPerOctave: bins, tempoPerBar: !arguments.has("tempo-per-event"))
        }
        if let directory = arguments.string("report") {
            guard arguments.positionals.isEmpty else { throw CommandFailure.usage("give either FILE.mid or --report DIR, not both") }
            let tokenizer = Tokenizer(configuration: configuration)
            let report = try CorpusReport.measure(directory: URL(fileURLWithPath: directory), tokenizer: tokenizer)
            print("grid \(configuration.stepsPerQuarter) steps/quarter, \(configuration.temposBPM.count) tempo bins, vocabulary \(report.vocabularySize) tokens\n")
            print(report.table(), terminator: "")
            return 0
        }
        guard let path = arguments.positionals.first else {
            throw CommandFailure.usage("give a MIDI file (or --report DIR); see 'cadenza tokenize --help'")
        }
        let style = arguments.string("style")
        let tokenizer = Tokenizer(configuration: configuration, styles: style.map { [$0] } ?? [])
        let score: PianoScore
        do {
            score = PianoScore(midi: try readMIDIFile(path, command: "tokenize"))
        } catch {
            throw CommandFailure("\(error)")
        }
        let ids = tokenizer.encode(score, style: style)
        if arguments.flag("ids") {
            print("[" + ids.map(String.init).joined(separator: ",") + "]")
        } else {
            print(tokenizer.text(of: ids))
        }
        if let out = arguments.string("roundtrip") {
            let decoded = try tokenizer.decode(ids)
            do {
                try decoded.midiFile().write(to: URL(fileURLWithPath: out))
            } catch {
                throw CommandFailure("cannot write \(out): \(error)")
            }
        }
        return 0
    }
}
