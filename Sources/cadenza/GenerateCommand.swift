// `cadenza generate --output song.mid [...]`: writes new pieces with a checkpoint (the
// bundled model by default). Parsing, validation and messages only; the work is
// Generation.PieceGenerator. Every argument is checked and every piece generated before
// any file is written, so a bad argument leaves nothing behind.
import ArgumentParsing
import Foundation
import Generation
import MIDI
import Synthesis
import Tokenization

enum GenerateCommand: Subcommand {
    static let spec = CommandSpec(
        name: "generate", summary: "Write new pieces with a checkpoint (MIDI, and WAV with --wav)",
        usage: "generate --output song.mid [--checkpoint FILE] [--bars 32] [--temperature 1.0] [--top-k 0] [--top-p 0.95] [--min-p 0] [--key \"E minor\"] [--seed N] [--primer FILE.mid --primer-bars 4] [--style NAME] [--count N] [--wav song.wav [--soundfont FILE.sf2]]",
        options: [
            OptionSpec("output", value: "FILE.mid", aliases: ["output_dir", "save_dir"], short: "o",
                       help: "The MIDI file to write (with --count: FILE-001.mid, ...), or a folder (DIR/): DIR/cadenza-SEED.mid"),
            CheckpointOption.spec,
            OptionSpec("bars", value: "N", default: "32", help: "Bars to write after the primer"),
        ] + SamplingOptions.specs + [SamplingOptions.topKSpec,
            OptionSpec("seed", value: "N", defaultNote: "a random seed, printed",
                       help: "Random seed (0...2^64-1); the same seed and settings give the same file"),
            OptionSpec("primer", value: "FILE.mid", aliases: ["primer_midi"], help: "Start from the first bars of this MIDI file"),
            OptionSpec("primer-bars", value: "N", default: "4", help: "How many bars of --primer to keep"),
            OptionSpec("style", value: "NAME", help: "Composer style token (checkpoints trained with styles)"),
            OptionSpec("count", value: "N", aliases: ["num_outputs", "variations"], default: "1", help: "Pieces to write; piece i uses seed + i - 1"),
            OptionSpec("wav", value: "FILE.wav|FILE.mp3", aliases: ["audio"],
                       help: "Also render audio (WAV, or MP3 with LAME), with the built-in piano or --soundfont (with --count: FILE-001.wav, ...)"),
            SoundFontOption.spec,
            OptionSpec("quiet", short: "q", help: "Print nothing but errors"),
        ],
        requiredInputs: [["output"]],
        discussion: """
        Each file carries its provenance (checkpoint, seed, settings) in a MIDI text event.
        Example: cadenza generate --output song.mid --bars 16 --seed 7 --style chopin
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        // 1. Arguments.
        guard let output = arguments.string("output") else { throw CommandFailure.usage("missing --output FILE.mid") }
        let bars = try arguments.int("bars")
        let count = try arguments.int("count")
        let sampling = try SamplingOptions(arguments)
        let key = sampling.key
        let primerBarCount = try arguments.int("primer-bars")
        guard bars >= 1, bars <= 10_000 else { throw CommandFailure.usage("--bars must be between 1 and 10000 (got \(bars))") }
        guard count >= 1, count <= 10_000 else { throw CommandFailure.usage("--count must be between 1 and 10000 (got \(count))") }
        guard primerBarCount >= 1, primerBarCount <= 10_000 else {
            throw CommandFailure.usage("--primer-bars must be between 1 and 10000 (got \(primerBarCount))")
        }
        if arguments.has("primer-bars") && !arguments.has("primer") {
            throw CommandFailure.usage("--primer-bars needs --primer FILE.mid")
        }
        let seed: UInt64
        if let text = arguments.string("seed") {
            guard let value = UInt64(text) else { throw CommandFailure.usage("--seed must be an integer 0...18446744073709551615 (got '\(text)')") }
            seed = value
        } else {
            var system = SystemRandomNumberGenerator()
            seed = system.next() >> 32  // short enough to type back in
        }
        // A folder (an existing one, or a path ending in /): pieces named by their seed inside.
        var isFolder: ObjCBool = false
        let outputIsFolder = output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isFolder) && isFolder.boolValue)
        if outputIsFolder {
            guard FileManager.default.fileExists(atPath: output, isDirectory: &isFolder), isFolder.boolValue else {
                throw CommandFailure("cannot write into \(output): the folder does not exist")
            }
        }
        let outputs = outputIsFolder
            ? PieceOutputNames.bySeed(inFolder: output, count: count, firstSeed: seed)
            : PieceOutputNames.numbered(output, count: count, extension: "mid")
        if let format = AudioFileFormat(path: output), !outputIsFolder {
            throw CommandFailure.usage("--output is the MIDI file (.mid); write \(format.rawValue.uppercased()) audio with --wav \(output)")
        }
        let wavs = arguments.string("wav").map { PieceOutputNames.numbered($0, count: count, extension: "wav") }
        if let audio = arguments.string("wav") { _ = try AudioOutputPath.format(of: audio, option: "wav") }
        if arguments.has("soundfont") && wavs == nil { throw CommandFailure.usage("--soundfont needs --wav FILE.wav") }
        let soundFont = try SoundFontOption.load(arguments)
        for path in outputs + (wavs ?? []) {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure("cannot write \(path): the folder \(folder.path) does not exist")
            }
        }

        // 2. The model and the primer.
        let checkpointURL = try CheckpointOption.resolve(arguments)
        let loaded: LoadedModel
        do { loaded = try LoadedModel.load(from: checkpointURL) } catch { throw CommandFailure("\(error)") }
        var request = PieceRequest(bars: bars, settings: sampling.settings,
                                   seed: seed, style: arguments.string("style"))
        request.key = key
        request.holdsKey = !sampling.freeKey
        if key != nil && !loaded.tokenizer.vocabulary.hasKeys {
            throw CommandFailure.usage("--key: \(GenerationError.noKeyTokens)")
        }
        if let style = request.style, !loaded.tokenizer.vocabulary.styles.contains(style) {
            throw CommandFailure.usage("\(GenerationError.unknownStyle(style, available: loaded.tokenizer.vocabulary.styles))")
        }
        if let primerPath = arguments.string("primer") {
            let score: PianoScore
            do {
                score = PianoScore(midi: try readMIDIFile(primerPath, command: "generate"))
            } catch {
                throw CommandFailure("--primer: \(error)")
            }
            do {
                request.primerBars = try PieceGenerator.primerBars(from: score, count: primerBarCount, tokenizer: loaded.tokenizer)
            } catch {
                throw CommandFailure("--primer \(primerPath): \(error)")
            }
            request.primerDescription = "primer=\(URL(fileURLWithPath: primerPath).lastPathComponent):\(primerBarCount)"
        }

        // 3. Generate everything, then write.
        let pieces: [GeneratedPiece]
        do {
            pieces = try PieceGenerator.generate(count: count, model: loaded.model, tokenizer: loaded.tokenizer,
                                                 checkpointName: loaded.name, request: request)
        } catch {
            throw CommandFailure("\(error)")
        }
        let quiet = arguments.flag("quiet")
        for (i, piece) in pieces.enumerated() {
            do { try piece.midi.write(to: URL(fileURLWithPath: outputs[i])) } catch { throw CommandFailure("\(error)") }
            if let wavs {
                do {
                    let audio = try AudioExport.write(score: piece.score, to: URL(fileURLWithPath: wavs[i]), soundFont: soundFont)
                    if let warning = audio.silenceWarning(path: wavs[i]) { printError("cadenza generate: warning: \(warning)") }
                } catch {
                    throw CommandFailure("\(error)")
                }
            }
            if !quiet {
                var line = "\(outputs[i]): \(piece.barCount) bars, \(piece.noteCount) notes, \(formatDuration(piece.durationSeconds)), seed \(seed &+ UInt64(i))"
                if let wavs { line += " (audio: \(wavs[i]))" }
                print(line)
            }
        }
        return 0
    }

    static func formatDuration(_ seconds: Double) -> String {
        let total = max(0, seconds)
        return String(format: "%d:%04.1f", Int(total) / 60, total.truncatingRemainder(dividingBy: 60))
    }
}
