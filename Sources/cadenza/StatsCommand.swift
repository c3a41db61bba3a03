// `cadenza stats --checkpoint C --data DIR`: the numbers of the model card that `cadenza
// eval` does not give (ModelCard measures them; this file parses and prints), and
// `stats --generated DIR --human DIR`, music_eval.py's comparison of two folders.
import ArgumentParsing
import Foundation
import Generation
import MIDI
import ModelCard
import NN

enum StatsCommand: Subcommand {
    /// The measures' defaults, the library's.
    private static let card = ModelCardRequest()

    static let spec = CommandSpec(
        name: "stats", summary: "Model-card statistics: baselines, music of generated pieces, copying, regeneration gain",
        usage: "stats --data DIR [--checkpoint FILE] [--pieces 100] [--bars 32] [--eval-pieces 30] [--settings-table] [--seed 1] [--candidates 4] [--regen-pieces 10] [--json] | stats --generated DIR --human DIR [--eval-bars 16]",
        options: [
            CheckpointOption.spec,
            OptionSpec("data", value: "DIR", help: "The corpus the checkpoint was trained on (split as `cadenza train` did)"),
            OptionSpec("val-split", value: "F", defaultNote: "the checkpoint's val_split, else 0.05", help: "Validation fraction"),
            OptionSpec("pieces", value: "N", default: String(card.pieces), help: "Pieces to generate (seeds seed ... seed+N-1, default settings)"),
            OptionSpec("bars", value: "N", default: String(card.bars), help: "Bars per generated piece"),
            OptionSpec("seed", value: "N", default: String(card.firstSeed), help: "First seed"),
            OptionSpec("candidates", value: "K", default: String(card.candidates), help: "K for the regeneration gain"),
            OptionSpec("regen-pieces", value: "N", default: String(card.regenerationPieces), help: "Pieces (of 16 bars) for the regeneration gain; 0 skips it"),
            OptionSpec("eval-pieces", value: "N", default: String(card.windowPieces), help: "Pieces for music_eval's window measures and discriminator (0 skips them)"),
            OptionSpec("eval-bars", value: "N", default: String(card.windowBars), help: "Bars of each piece (and validation file) those measures read"),
            OptionSpec("settings-table", help: "Also measure a table of temperature / top-p / min-p settings against the validation files"),
            OptionSpec("write-pieces", value: "DIR", help: "Write the evaluated pieces to DIR/generated and copy the validation files to DIR/validation"),
            OptionSpec("generated", value: "DIR", help: "Compare the MIDI files under DIR with those under --human (music_eval.py's measures)"),
            OptionSpec("human", value: "DIR", help: "The human side of --generated"),
            OptionSpec("threads", value: "N", default: String(card.threads), help: "Threads for tokenizing and matrix products"),
            OptionSpec("json", help: "Print one JSON object"),
        ],
        requiredInputs: [["data"], ["generated", "human"]],
        discussion: """
        Example: cadenza stats --checkpoint checkpoints/cadenza-piano.safetensors --data ../shared/corpus/scores
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let evalBars = try arguments.int("eval-bars")
        guard evalBars >= 4, evalBars <= 1000 else { throw CommandFailure.usage("--eval-bars must be between 4 and 1000") }
        if arguments.has("generated") || arguments.has("human") {
            return try compareFolders(arguments, bars: evalBars)
        }
        guard let dataPath = arguments.string("data") else { throw CommandFailure.usage("missing --data DIR") }
        var request = ModelCardRequest()
        request.pieces = try arguments.int("pieces")
        request.bars = try arguments.int("bars")
        request.candidates = try arguments.int("candidates")
        request.regenerationPieces = try arguments.int("regen-pieces")
        request.windowPieces = try arguments.int("eval-pieces")
        request.windowBars = evalBars
        request.settingsTable = arguments.flag("settings-table")
        request.validationFraction = try arguments.optionalDouble("val-split")
        request.threads = try arguments.int("threads")
        guard request.windowPieces >= 0, request.windowPieces <= 10_000 else { throw CommandFailure.usage("--eval-pieces must be between 0 and 10000") }
        guard let firstSeed = UInt64(arguments.string("seed") ?? "1") else { throw CommandFailure.usage("--seed must be a non-negative integer") }
        request.firstSeed = firstSeed
        guard request.pieces >= 1, request.bars >= 1, request.candidates >= 1, request.regenerationPieces >= 0, request.threads >= 1 else {
            throw CommandFailure.usage("--pieces, --bars, --candidates and --threads must be >= 1, --regen-pieces >= 0")
        }
        ComputeThreads.set(request.threads)
        let checkpointURL = try CheckpointOption.resolve(arguments)
        let loaded: LoadedModel
        do { loaded = try LoadedModel.load(from: checkpointURL) } catch { throw CommandFailure("\(error)") }
        let json = arguments.flag("json")
        let log: (String) -> Void = { if !json { printError($0) } }

        let card: ModelCard
        do {
            card = try ModelCard.measure(loaded, checkpointPath: checkpointURL.path, data: URL(fileURLWithPath: dataPath),
                                         request: request, log: log)
        } catch {
            throw CommandFailure("\(error)")
        }
        for file in card.skipped { log("warning: skipped \(file.relativePath): \(file.reason)") }
        if let folder = arguments.string("write-pieces"), request.windowPieces > 0 {
            try writePieces(card.windowPieceFiles, validation: card.validationURLs, to: URL(fileURLWithPath: folder))
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: card.dictionary, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(card.markdown(), terminator: "")
        }
        return 0
    }

    /// `stats --generated DIR --human DIR`: music_eval.py's comparison of two folders.
    static func compareFolders(_ arguments: ParsedArguments, bars: Int) throws -> Int32 {
        guard let generatedPath = arguments.string("generated"), let humanPath = arguments.string("human") else {
            throw CommandFailure.usage("--generated DIR and --human DIR go together")
        }
        for path in [generatedPath, humanPath] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure.usage("\(path) is not a folder")
            }
        }
        let generated = WindowMeasures.collect(folder: URL(fileURLWithPath: generatedPath), bars: bars)
        let human = WindowMeasures.collect(folder: URL(fileURLWithPath: humanPath), bars: bars)
        guard !generated.isEmpty, !human.isEmpty else {
            throw CommandFailure("no usable MIDI files (8 notes and one window of 4 bars) under \(generated.isEmpty ? generatedPath : humanPath)")
        }
        let comparison = MusicComparison(generated: generated, human: human)
        if arguments.flag("json") {
            var object = comparison.dictionary
            object["bars"] = bars; object["window"] = 4
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(comparison.table(), terminator: "")
        }
        return 0
    }

    /// The evaluated pieces as MIDI files and copies of the validation files, for music_eval.py.
    static func writePieces(_ pieces: [MIDIFile], validation: [URL], to folder: URL) throws {
        let generatedFolder = folder.appendingPathComponent("generated"), validationFolder = folder.appendingPathComponent("validation")
        do {
            for f in [generatedFolder, validationFolder] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
            for (i, midi) in pieces.enumerated() {
                try midi.write(to: generatedFolder.appendingPathComponent(String(format: "piece-%03d.mid", i + 1)))
            }
            for url in validation {
                let target = validationFolder.appendingPathComponent(url.lastPathComponent)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: url, to: target)
            }
        } catch {
            throw CommandFailure("--write-pieces \(folder.path): \(error)")
        }
    }
}
