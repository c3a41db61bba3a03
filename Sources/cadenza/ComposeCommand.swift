// `cadenza compose` (the default command): the interactive terminal composer.
// Parses options into ComposerOptions; the composer itself is in the TUI module.
import ArgumentParsing
import Foundation
import Generation
import Synthesis
import Playback
import Tokenization
import TUI

enum ComposeCommand: Subcommand {
    static let spec = CommandSpec(
        name: "compose", summary: "Compose in the terminal: the model writes, you steer (the default command)",
        usage: "[compose] [--checkpoint FILE|DIR] [--port P | --synth builtin | --no-audio] [--device NAME] [--theme NAME] [--temperature T] [--top-p P] [--min-p P] [--key KEY] [--seed N] [--bars N] [--primer FILE.mid] [--style NAME] [--takes-dir DIR]",
        options: [
            CheckpointOption.spec,
            OptionSpec("no-audio", help: "Do not play anything"),
            OptionSpec("theme", value: "NAME", default: "dark", help: "Colour theme: dark, light, high-contrast, or a .theme file"),
        ] + PlaybackArguments.specs + SamplingOptions.specs + [SoundFontOption.spec] + [
            OptionSpec("seed", value: "N", help: "Random seed (default: a fresh one, shown in the status line); the same seed and keys give the same piece"),
            OptionSpec("primer", value: "FILE.mid", aliases: ["primer_midi"], help: "Start from the first bars of this MIDI file"),
            OptionSpec("primer-bars", value: "N", default: "4", help: "How many bars of the primer to keep"),
            OptionSpec("style", value: "NAME", help: "Composer style token, if the checkpoint knows styles"),
            OptionSpec("takes-dir", value: "DIR", default: "takes", help: "Where s and S save takes"),
            OptionSpec("bars", value: "N", help: "The length of the piece: writing stops after bar N"),
            OptionSpec("input", value: "CLIENT:PORT", help: "A MIDI keyboard's sequencer port to connect to cadenza:in (see 'cadenza ports')"),
            OptionSpec("respond", help: "Call and response: when you stop playing for a bar, the model answers (key i)"),
            OptionSpec("untrained", help: "Use an untrained model (notes are noise): try the interface without a checkpoint"),
            OptionSpec("keys", help: "Print the key list (Markdown) and exit"),
        ],
        usesDevices: true,
        discussion: PlaybackArguments.backendOrder + " The status line says which plays.\n\n"
            + "Keys: press ? in the composer, or run `cadenza compose --keys`. NO_COLOR is honoured.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        if arguments.flag("keys") {
            print(KeyTable.markdown(), terminator: "")
            return 0
        }
        var options = ComposerOptions()
        options.checkpointPath = arguments.string("checkpoint")
        options.playback = try PlaybackArguments.backend(arguments, silentAllowed: true)
        options.soundFont = try SoundFontOption.load(arguments)
        options.themeName = arguments.string("theme")
        let sampling = try SamplingOptions(arguments)
        options.temperature = sampling.settings.temperature
        options.topP = sampling.settings.topP
        options.minP = sampling.settings.minP
        options.tempoTemperature = sampling.settings.tempoTemperature
        options.freeKey = sampling.freeKey
        options.key = sampling.key
        // A fresh piece at every launch; a short number, easy to give back as --seed.
        let seed = try arguments.optionalInt("seed") ?? Int.random(in: 1...999_999)
        guard seed >= 0 else { throw CommandFailure.usage("--seed must be >= 0") }
        options.seed = UInt64(seed)
        options.primerPath = arguments.string("primer")
        options.primerBars = try arguments.int("primer-bars")
        guard options.primerBars >= 1 else { throw CommandFailure.usage("--primer-bars must be >= 1") }
        options.style = arguments.string("style")
        options.takesDirectory = arguments.string("takes-dir") ?? "takes"
        options.inputPort = arguments.string("input")
        options.respond = arguments.flag("respond")
        if arguments.has("bars") {
            let bars = try arguments.int("bars")
            guard (1...100_000).contains(bars) else { throw CommandFailure.usage("--bars must be 1...100000 (got \(bars))") }
            options.totalBars = bars
        }
        let environment = ProcessInfo.processInfo.environment
        options.noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        do {
            let source = try ComposerLauncher.modelSource(
                options: options, untrained: arguments.flag("untrained"), environment: environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                executable: CheckpointLookup.runningExecutable())
            let outcome = try ComposerLauncher.run(options: options, source: source)
            for line in outcome.messages { printError(line) }
            return outcome.exitStatus
        } catch let error as ComposerError {
            throw CommandFailure("\(error)")
        }
    }
}
