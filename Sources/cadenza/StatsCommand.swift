// `cadenza stats --checkpoint C --data DIR`: the numbers of the model card that `cadenza
// eval` does not give. On the checkpoint's own validation split (same rule and fraction as
// `cadenza train`): LSTM vs unigram vs add-one bigram NLL; music statistics of generated
// pieces against the validation files; copying; K-candidate regeneration gain. Parsing and
// printing only; the measures are in Generation (and Training for the corpus and the LSTM NLL).
import ArgumentParsing
import Foundation
import Generation
import MIDI
import NN
import Tokenization
import Training

enum StatsCommand: Subcommand {
    static let spec = CommandSpec(
        name: "stats", summary: "Model-card statistics: baselines, music of generated pieces, copying, regeneration gain",
        usage: "stats --data DIR [--checkpoint FILE] [--pieces 100] [--bars 32] [--eval-pieces 30] [--settings-table] [--seed 1] [--candidates 4] [--regen-pieces 10] [--json] | stats --generated DIR --human DIR [--eval-bars 16]",
        options: [
            CheckpointOption.spec,
            OptionSpec("data", value: "DIR", help: "The corpus the checkpoint was trained on (split as `cadenza train` did)"),
            OptionSpec("val-split", value: "F", default: "the checkpoint's val_split, else 0.05", help: "Validation fraction"),
            OptionSpec("pieces", value: "N", default: "100", help: "Pieces to generate (seeds seed ... seed+N-1, default settings)"),
            OptionSpec("bars", value: "N", default: "32", help: "Bars per generated piece"),
            OptionSpec("seed", value: "N", default: "1", help: "First seed"),
            OptionSpec("candidates", value: "K", default: "4", help: "K for the regeneration gain"),
            OptionSpec("regen-pieces", value: "N", default: "10", help: "Pieces (of 16 bars) for the regeneration gain; 0 skips it"),
            OptionSpec("eval-pieces", value: "N", default: "30", help: "Pieces for music_eval's window measures and discriminator (0 skips them)"),
            OptionSpec("eval-bars", value: "N", default: "16", help: "Bars of each piece (and validation file) those measures read"),
            OptionSpec("settings-table", help: "Also measure a table of temperature / top-p / min-p settings against the validation files"),
            OptionSpec("write-pieces", value: "DIR", help: "Write the evaluated pieces to DIR/generated and copy the validation files to DIR/validation"),
            OptionSpec("generated", value: "DIR", help: "Compare the MIDI files under DIR with those under --human (music_eval.py's measures)"),
            OptionSpec("human", value: "DIR", help: "The human side of --generated"),
            OptionSpec("threads", value: "N", default: "2", help: "Threads for tokenizing and matrix products"),
            OptionSpec("json", help: "Print one JSON object"),
        ],
        requiredInputs: [["data"], ["generated", "human"]],
        discussion: """
        Example: cadenza stats --checkpoint checkpoints/cadenza-piano.safetensors --data ../shared/corpus/scores
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let evalBars = try arguments.int("eval-bars", default: 16)
        guard evalBars >= 4, evalBars <= 1000 else { throw CommandFailure.usage("--eval-bars must be between 4 and 1000") }
        if arguments.has("generated") || arguments.has("human") {
            return try compareFolders(arguments, bars: evalBars)
        }
        guard let dataPath = arguments.string("data") else { throw CommandFailure.usage("missing --data DIR") }
        let pieces = try arguments.int("pieces", default: 100)
        let bars = try arguments.int("bars", default: 32)
        let candidates = try arguments.int("candidates", default: 4)
        let regenPieces = try arguments.int("regen-pieces", default: 10)
        let evalPieces = try arguments.int("eval-pieces", default: 30)
        guard evalPieces >= 0, evalPieces <= 10_000 else { throw CommandFailure.usage("--eval-pieces must be between 0 and 10000") }
        let threads = try arguments.int("threads", default: 2)
        guard let firstSeed = UInt64(arguments.string("seed") ?? "1") else { throw CommandFailure.usage("--seed must be a non-negative integer") }
        guard pieces >= 1, bars >= 1, candidates >= 1, regenPieces >= 0, threads >= 1 else {
            throw CommandFailure.usage("--pieces, --bars, --candidates and --threads must be >= 1, --regen-pieces >= 0")
        }
        ComputeThreads.set(threads)
        let checkpointURL = try CheckpointOption.resolve(arguments)
        let loaded: LoadedModel
        do { loaded = try LoadedModel.load(from: checkpointURL) } catch { throw CommandFailure("\(error)") }
        let tokenizer = loaded.tokenizer
        let validationFraction = try arguments.double("val-split") ?? Double(loaded.metadata.hyperParameters["val_split"] ?? "") ?? 0.05
        let log: (String) -> Void = { if !arguments.flag("json") { printError($0) } }

        // 1. The corpus, split as in training.
        log("tokenizing \(dataPath) ...")
        let split: CorpusSplit
        do {
            let corpus = try CorpusLoader.load(URL(fileURLWithPath: dataPath), tokenizer: tokenizer, threads: threads).corpus
            for file in corpus.skipped { log("warning: skipped \(file.relativePath): \(file.reason)") }
            split = CorpusSplit(corpus.files, validationFraction: validationFraction)
        } catch {
            throw CommandFailure("\(error)")
        }
        let training = split.training.map { $0.tokens.map(Int.init) }
        let validation = split.validation.map { $0.tokens.map(Int.init) }
        guard !training.isEmpty, !validation.isEmpty else { throw CommandFailure("the split has no training or no validation files") }

        // 2. NLL per token: LSTM and baselines on the same validation tokens.
        log("scoring \(validation.count) validation files ...")
        let lstm: EvaluationResult
        do {
            lstm = try SequenceEvaluation.evaluate(model: loaded.model, sequences: validation, vocabulary: tokenizer.vocabulary)
            try lstm.checkFinite(checkpoint: loaded.name)
        } catch { throw CommandFailure("\(error)") }
        let baseline = NGramBaseline(vocabularySize: tokenizer.vocabulary.count, training: training)
        let unigram = baseline.unigramNLL(validation), bigram = baseline.bigramNLL(validation)

        // 3. Generated pieces.
        log("generating \(pieces) pieces of \(bars) bars ...")
        var generated: [[Int]] = []
        var failures = 0
        for i in 0..<pieces {
            do {
                let piece = try PieceGenerator.generate(model: loaded.model, tokenizer: tokenizer, checkpointName: loaded.name,
                                                        request: PieceRequest(bars: bars, settings: .default, seed: firstSeed &+ UInt64(i)))
                generated.append(piece.tokens)
            } catch {
                failures += 1
            }
        }
        var music = MusicStatistics.measure(generated, tokenizer: tokenizer)
        music.pieces += failures
        let reference = MusicStatistics.measure(validation, tokenizer: tokenizer)
        let trainingMusic = MusicStatistics.measure(training, tokenizer: tokenizer)
        let kl = MusicStatistics.klDivergence(music.pitchClassHistogram, trainingMusic.pitchClassHistogram)
        let klReference = MusicStatistics.klDivergence(reference.pitchClassHistogram, trainingMusic.pitchClassHistogram)

        // 4. music_eval.py's window measures: pieces of `evalBars` bars against the validation files cut as long.
        let validationURLs = split.validation.map { URL(fileURLWithPath: dataPath).appendingPathComponent($0.relativePath) }
        let human = validationURLs.compactMap { (try? WindowMeasures.pieceWindows(contentsOf: $0, bars: evalBars)) ?? nil }
        var verdict: MusicComparison? = nil
        var trials: [SettingsTrial] = []
        if evalPieces > 0 {
            log("generating \(evalPieces) pieces of \(evalBars) bars for the window measures ...")
            let (windows, files, _) = SettingsSweep.generatedWindows(model: loaded.model, tokenizer: tokenizer, checkpointName: loaded.name,
                                                             settings: .default, pieces: evalPieces, bars: evalBars,
                                                             windowBars: evalBars, firstSeed: firstSeed)
            verdict = MusicComparison(generated: windows, human: human)
            if let folder = arguments.string("write-pieces") {
                try writePieces(files, validation: validationURLs, to: URL(fileURLWithPath: folder))
            }
            if arguments.flag("settings-table") {
                trials = SettingsSweep.run(model: loaded.model, tokenizer: tokenizer, checkpointName: loaded.name,
                                           settings: sweepSettings, pieces: evalPieces, bars: evalBars, windowBars: evalBars,
                                           firstSeed: firstSeed, human: human) { i, n in log("settings \(i + 1) of \(n) ...") }
            }
        }

        // 5. Copying: generated pieces, and the first `bars` bars of each validation file as a reference.
        log("looking for copies ...")
        let copies = CopyDetector(training: training)
        let generatedRuns = generated.map { copies.longestSharedRun($0) }.sorted()
        let validationRuns = validation.map { copies.longestSharedRun(firstBars($0, bars, tokenizer.vocabulary)) }.sorted()

        // 6. Regeneration gain.
        var gain = RegenerationGainResult()
        if regenPieces > 0 {
            log("measuring regeneration with K=\(candidates) ...")
            do {
                gain = try RegenerationGain.measure(model: loaded.model, tokenizer: tokenizer, pieces: regenPieces, bars: 16,
                                                    candidates: candidates, seed: firstSeed)
            } catch { throw CommandFailure("\(error)") }
        }

        let trainingTokens = training.reduce(0) { $0 + $1.count }, validationTokens = validation.reduce(0) { $0 + $1.count }
        // Notes = PITCH tokens predicted: the loss per note sums every token a note costs (bars, positions, tempo and keys included).
        let notes = lstm.byKind["pitch"]?.count ?? 0
        let nllPerNote = notes > 0 ? lstm.nllSum / Double(notes) : .nan
        if arguments.flag("json") {
            let object: [String: Any] = [
                "checkpoint": checkpointURL.path, "validation_fraction": validationFraction,
                "training_files": training.count, "training_tokens": trainingTokens,
                "validation_files": validation.count, "validation_tokens": validationTokens,
                "nll": ["lstm": lstm.meanNLL, "unigram": unigram, "bigram_add_one": bigram, "predictions": lstm.predictions,
                        "lstm_per_note": nllPerNote, "notes": notes],
                "window_measures": (verdict?.dictionary ?? [:]) as Any,
                "settings_table": trials.map { ["temperature": $0.settings.temperature, "top_p": $0.settings.topP, "min_p": $0.settings.minP, "key_held": $0.holdsKey,
                                                "tempo_temperature": ($0.settings.tempoTemperature ?? $0.settings.temperature),
                                                "comparison": $0.comparison.dictionary] },
                "generated": json(music), "validation": json(reference),
                "pitch_class_kl": ["generated_vs_training": kl, "validation_vs_training": klReference],
                "copying": ["generated_max": generatedRuns.last ?? 0, "generated_median": median(generatedRuns),
                            "validation_max": validationRuns.last ?? 0, "validation_median": median(validationRuns),
                            "seed_length": copies.seedLength],
                "regeneration": ["candidates": gain.candidates, "regenerations": gain.regenerations,
                                 "mean_single": gain.meanSingle, "mean_best_of_k": gain.meanBestOfK,
                                 "gain_nats": gain.gainPerRegeneration, "gain_nats_per_token": gain.gainPerToken,
                                 "mean_following_tokens": gain.meanFollowingTokens],
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return 0
        }
        func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        let c = loaded.model.configuration, m = loaded.metadata
        var checkpointLines = "### Checkpoint \(loaded.name)\n\n"
        checkpointLines += "- Embedding \(c.vocabularySize)×\(c.embeddingSize) → \(c.layers)-layer LSTM, hidden \(c.hiddenSize) → dense head \(c.hiddenSize)×\(c.vocabularySize); \(loaded.model.parameterCount) parameters\n"
        if let v = m.tokensSeen { checkpointLines += "- Tokens seen in training: \(v)\n" }
        if let v = m.epochs { checkpointLines += "- Epochs: \(f(v, 2))\n" }
        if let v = m.validationLoss { checkpointLines += "- Validation loss stored by training: \(f(v, 4)) nats/token\n" }
        if !m.hyperParameters.isEmpty {
            checkpointLines += "- Hyper-parameters: " + m.hyperParameters.keys.sorted().map { "\($0)=\(m.hyperParameters[$0]!)" }.joined(separator: ", ") + "\n"
        }
        if let v = m.createdBy { checkpointLines += "- Written by \(v)\n" }
        print(checkpointLines)
        var kinds = "| token kind | NLL (nats) | tokens |\n| --- | ---: | ---: |\n"
        for kind in lstm.byKind.keys.sorted() {
            let k = lstm.byKind[kind]!
            kinds += "| \(kind) | \(f(k.sum / Double(max(1, k.count)))) | \(k.count) |\n"
        }
        print("""
        ### Held-out loss (\(validation.count) validation files, \(lstm.predictions) predicted tokens; \(training.count) training files, \(trainingTokens) tokens)

        | model | NLL / token (nats) | perplexity |
        | --- | ---: | ---: |
        | LSTM (\(loaded.name)) | \(f(lstm.meanNLL)) | \(f(exp(lstm.meanNLL), 2)) |
        | add-one bigram | \(f(bigram)) | \(f(exp(bigram), 2)) |
        | unigram (add-one) | \(f(unigram)) | \(f(exp(unigram), 2)) |

        LSTM NLL per note (all \(lstm.predictions) token losses over the \(notes) notes): \(f(nllPerNote)) nats.

        LSTM NLL by the kind of the predicted token:

        \(kinds)

        ### Music statistics: \(pieces) generated pieces of \(bars) bars (seeds \(firstSeed)...\(firstSeed &+ UInt64(pieces - 1)), \(SamplingSettings.default)) vs the validation files

        | measure | generated | validation files |
        | --- | ---: | ---: |
        | decodes without error | \(pct(music.decodeRate)) | \(pct(reference.decodeRate)) |
        | notes per bar | \(f(music.notesPerBar, 2)) | \(f(reference.notesPerBar, 2)) |
        | polyphony (notes sounding at an onset) | \(f(music.meanPolyphony, 2)) | \(f(reference.meanPolyphony, 2)) |
        | pitch range per piece (semitones) | \(f(music.meanPitchRange, 1)) | \(f(reference.meanPitchRange, 1)) |
        | mean pitch (MIDI) | \(f(music.meanPitch, 1)) | \(f(reference.meanPitch, 1)) |
        | pitch-class KL to the training files (nats) | \(f(kl, 4)) | \(f(klReference, 4)) |
        | notes on the downbeat | \(pct(music.downbeatShare)) | \(pct(reference.downbeatShare)) |
        | notes on a quarter-note beat | \(pct(music.onBeatShare)) | \(pct(reference.onBeatShare)) |
        | bars repeating an earlier bar exactly | \(pct(music.repeatedBarShare)) | \(pct(reference.repeatedBarShare)) |
        | longest token run shared with a training file: median / max | \(median(generatedRuns)) / \(generatedRuns.last ?? 0) | \(median(validationRuns)) / \(validationRuns.last ?? 0) |

        (Copying: runs under \(copies.seedLength) tokens count as 0; the validation column uses each file's first \(bars) bars.)
        """)
        if let verdict {
            print("""

            ### Against the validation files, window by window (music_eval.py's measures)

            \(evalPieces) generated pieces of \(evalBars) bars (seeds \(firstSeed)..., \(SamplingSettings.default)) against the first \(evalBars) bars of the \(validationURLs.count) validation files, in windows of 4 bars, pedal folded on both sides:

            \(verdict.table(generatedTitle: "generated", humanTitle: "validation files"))
            """)
        }
        if !trials.isEmpty {
            print("""

            ### Sampling settings against the validation files (\(evalPieces) pieces of \(evalBars) bars each)

            \(SettingsSweep.table(trials, human: WindowSummary(pieces: human)))
            """)
        }
        if gain.regenerations > 0 {
            print("""

            ### Coherent regeneration (K = \(gain.candidates), \(gain.regenerations) regenerations of inner bars in \(regenPieces) pieces of 16 bars)

            Log-likelihood of the following bars (mean \(f(gain.meanFollowingTokens, 0)) tokens): single sample \(f(gain.meanSingle, 1)) nats, best of K \(f(gain.meanBestOfK, 1)) nats; gain \(f(gain.gainPerRegeneration, 2)) nats per regeneration (\(f(gain.gainPerToken, 4)) nats per following token).
            """)
        }
        return 0
    }

    /// The settings of the sweep: temperature, top-p and min-p around the usual choices, with
    /// the first bar's key kept (the default) or free.
    static let sweepSettings: [(SamplingSettings, holdsKey: Bool)] = [
        (SamplingSettings(temperature: 1.0, topP: 0.95, minP: 0), false),
        (SamplingSettings(temperature: 1.0, topP: 0.95, minP: 0), true),
        (SamplingSettings(temperature: 1.0, topP: 1.0, minP: 0.035), true),
        (SamplingSettings(temperature: 1.0, topP: 1.0, minP: 0.1), true),
        (SamplingSettings(temperature: 0.9, topP: 0.95, minP: 0), false),
        (SamplingSettings(temperature: 0.9, topP: 0.95, minP: 0), true),
        (SamplingSettings(temperature: 0.9, topP: 1.0, minP: 0.05), true),
        (SamplingSettings(temperature: 0.85, topP: 0.95, minP: 0), true),
        (SamplingSettings(temperature: 0.8, topP: 0.95, minP: 0), false),
        (SamplingSettings(temperature: 0.8, topP: 0.95, minP: 0), true),
        (SamplingSettings(temperature: 0.8, topP: 1.0, minP: 0.05), true),
        (SamplingSettings(temperature: 0.75, topP: 0.95, minP: 0), true),
        (SamplingSettings(temperature: 0.7, topP: 0.9, minP: 0), true),
        (SamplingSettings(temperature: 0.7, topP: 1.0, minP: 0.05), true),
        (SamplingSettings(temperature: 0.9, topP: 0.95, minP: 0, tempoTemperature: 0.6), true),
        (SamplingSettings(temperature: 0.9, topP: 0.95, minP: 0, tempoTemperature: 0.4), true),
        (SamplingSettings(temperature: 0.85, topP: 0.95, minP: 0, tempoTemperature: 0.6), true),
        (SamplingSettings(temperature: 0.85, topP: 0.95, minP: 0, tempoTemperature: 0.4), true),
        (SamplingSettings(temperature: 0.8, topP: 0.95, minP: 0, tempoTemperature: 0.5), true),
        (SamplingSettings(temperature: 0.85, topP: 1.0, minP: 0.05, tempoTemperature: 0.5), true),
    ]

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

    static func firstBars(_ ids: [Int], _ count: Int, _ v: Vocabulary) -> [Int] {
        let starts = v.barStartIndices(ids)
        return starts.count > count ? Array(ids[..<starts[count]]) : ids
    }

    static func median(_ sorted: [Int]) -> Int { sorted.isEmpty ? 0 : sorted[sorted.count / 2] }

    static func json(_ s: MusicStatistics) -> [String: Any] {
        ["pieces": s.pieces, "decode_rate": s.decodeRate, "bars": s.bars, "notes": s.notes, "notes_per_bar": s.notesPerBar,
         "polyphony": s.meanPolyphony, "pitch_range": s.meanPitchRange, "mean_pitch": s.meanPitch,
         "pitch_class_histogram": s.pitchClassHistogram, "downbeat_share": s.downbeatShare, "on_beat_share": s.onBeatShare,
         "repeated_bar_share": s.repeatedBarShare]
    }
}
