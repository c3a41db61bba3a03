// The numbers of the model card that `cadenza eval` does not give, measured on the
// checkpoint's own validation split (same rule and fraction as `cadenza train`): LSTM vs
// unigram vs add-one bigram NLL, music statistics of generated pieces against the validation
// files, music_eval.py's window measures (and optionally a table of sampling settings),
// copying, and the K-candidate regeneration gain. `measure` returns a value; printing it
// (Markdown or JSON) is in ModelCard+Report.swift, and `cadenza stats` only parses and prints.
import Foundation
import Generation
import MIDI
import NN
import Tokenization
import Training

/// What to measure: how many pieces, how long, from which seed.
public struct ModelCardRequest: Sendable {
    public var pieces = 100
    public var bars = 32
    public var firstSeed: UInt64 = 1
    public var candidates = 4
    /// Pieces (of 16 bars) for the regeneration gain; 0 skips it.
    public var regenerationPieces = 10
    /// Pieces for the window measures and the discriminator; 0 skips them (and the table).
    public var windowPieces = 30
    public var windowBars = 16
    public var settingsTable = false
    /// Nil: the checkpoint's val_split, else 0.05.
    public var validationFraction: Double?
    public var threads = 2

    public init() {}
}

public struct ModelCard {
    public var checkpointName: String
    public var checkpointPath: String
    public var configuration: LSTMConfiguration
    public var parameterCount: Int
    public var metadata: CheckpointMetadata
    public var request: ModelCardRequest
    public var validationFraction: Double
    public var skipped: [SkippedFile]

    public var trainingFiles: Int, trainingTokens: Int
    public var validationFiles: Int, validationTokens: Int
    public var lstm: EvaluationResult
    public var unigramNLL: Double, bigramNLL: Double

    public var music: MusicStatistics, validationMusic: MusicStatistics
    public var pitchClassKL: Double, validationPitchClassKL: Double

    /// The window measures (nil when `windowPieces` is 0), the settings table, and the
    /// pieces they measured (for `--write-pieces`) with the validation files they were compared with.
    public var windowComparison: MusicComparison?
    public var settingsTrials: [SettingsTrial]
    public var humanWindows: WindowSummary
    public var windowPieceFiles: [MIDIFile]
    public var validationURLs: [URL]

    /// Longest token runs shared with a training file, sorted; runs under `copySeedLength` count as 0.
    public var generatedRuns: [Int], validationRuns: [Int]
    public var copySeedLength: Int
    public var regeneration: RegenerationGainResult

    /// Notes = PITCH tokens predicted: the loss per note sums every token a note costs
    /// (bars, positions, tempo and keys included).
    public var notes: Int { lstm.byKind["pitch"]?.count ?? 0 }
    public var nllPerNote: Double { notes > 0 ? lstm.nllSum / Double(notes) : .nan }

    /// The settings of the sweep: temperature, top-p and min-p around the usual choices, with
    /// the first bar's key kept (the default) or free.
    public static let sweepSettings: [(SamplingSettings, holdsKey: Bool)] = [
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

    /// Measures the card of `loaded` (read from `checkpointPath`) on the corpus under `data`.
    /// `log` receives one line per stage ("scoring 15 validation files ...").
    public static func measure(_ loaded: LoadedModel, checkpointPath: String, data: URL, request: ModelCardRequest,
                               log: (String) -> Void = { _ in }) throws -> ModelCard {
        let tokenizer = loaded.tokenizer
        let fraction = request.validationFraction ?? Double(loaded.metadata.hyperParameters["val_split"] ?? "") ?? 0.05

        // 1. The corpus, split as in training.
        log("tokenizing \(data.path) ...")
        let corpus = try CorpusLoader.load(data, tokenizer: tokenizer, threads: request.threads).corpus
        let split = CorpusSplit(corpus.files, validationFraction: fraction)
        let training = split.training.map { $0.tokens.map(Int.init) }
        let validation = split.validation.map { $0.tokens.map(Int.init) }
        guard !training.isEmpty, !validation.isEmpty else { throw TrainingError.notEnoughTokens(detail: "the split has no training or no validation files") }

        // 2. NLL per token: LSTM and baselines on the same validation tokens.
        log("scoring \(validation.count) validation files ...")
        let lstm = try SequenceEvaluation.evaluate(model: loaded.model, sequences: validation, vocabulary: tokenizer.vocabulary)
        try lstm.checkFinite(checkpoint: loaded.name)
        let baseline = NGramBaseline(vocabularySize: tokenizer.vocabulary.count, training: training)

        // 3. Generated pieces and their music statistics.
        log("generating \(request.pieces) pieces of \(request.bars) bars ...")
        let (generated, failures) = generatePieces(loaded, request: request)
        var music = MusicStatistics.measure(generated, tokenizer: tokenizer)
        music.pieces += failures
        let validationMusic = MusicStatistics.measure(validation, tokenizer: tokenizer)
        let trainingMusic = MusicStatistics.measure(training, tokenizer: tokenizer)

        // 4. music_eval.py's window measures: pieces of `windowBars` bars against the validation files cut as long.
        let validationURLs = split.validation.map { data.appendingPathComponent($0.relativePath) }
        let human = validationURLs.compactMap { (try? WindowMeasures.pieceWindows(contentsOf: $0, bars: request.windowBars)) ?? nil }
        var comparison: MusicComparison?
        var trials: [SettingsTrial] = []
        var windowFiles: [MIDIFile] = []
        if request.windowPieces > 0 {
            log("generating \(request.windowPieces) pieces of \(request.windowBars) bars for the window measures ...")
            let (windows, files, _) = SettingsSweep.generatedWindows(
                model: loaded.model, tokenizer: tokenizer, checkpointName: loaded.name, settings: .default,
                pieces: request.windowPieces, bars: request.windowBars, windowBars: request.windowBars, firstSeed: request.firstSeed)
            comparison = MusicComparison(generated: windows, human: human)
            windowFiles = files
            if request.settingsTable {
                trials = SettingsSweep.run(model: loaded.model, tokenizer: tokenizer, checkpointName: loaded.name,
                                           settings: sweepSettings, pieces: request.windowPieces, bars: request.windowBars,
                                           windowBars: request.windowBars, firstSeed: request.firstSeed, human: human) { i, n in
                    log("settings \(i + 1) of \(n) ...")
                }
            }
        }

        // 5. Copying: generated pieces, and the first `bars` bars of each validation file as a reference.
        log("looking for copies ...")
        let copies = CopyDetector(training: training)
        let generatedRuns = generated.map { copies.longestSharedRun($0) }.sorted()
        let validationRuns = validation.map { copies.longestSharedRun(firstBars($0, request.bars, tokenizer.vocabulary)) }.sorted()

        // 6. Regeneration gain.
        var gain = RegenerationGainResult()
        if request.regenerationPieces > 0 {
            log("measuring regeneration with K=\(request.candidates) ...")
            gain = try RegenerationGain.measure(model: loaded.model, tokenizer: tokenizer, pieces: request.regenerationPieces,
                                                bars: 16, candidates: request.candidates, seed: request.firstSeed)
        }

        return ModelCard(
            checkpointName: loaded.name, checkpointPath: checkpointPath, configuration: loaded.model.configuration,
            parameterCount: loaded.model.parameterCount, metadata: loaded.metadata, request: request,
            validationFraction: fraction, skipped: corpus.skipped,
            trainingFiles: training.count, trainingTokens: training.reduce(0) { $0 + $1.count },
            validationFiles: validation.count, validationTokens: validation.reduce(0) { $0 + $1.count },
            lstm: lstm, unigramNLL: baseline.unigramNLL(validation), bigramNLL: baseline.bigramNLL(validation),
            music: music, validationMusic: validationMusic,
            pitchClassKL: MusicStatistics.klDivergence(music.pitchClassHistogram, trainingMusic.pitchClassHistogram),
            validationPitchClassKL: MusicStatistics.klDivergence(validationMusic.pitchClassHistogram, trainingMusic.pitchClassHistogram),
            windowComparison: comparison, settingsTrials: trials, humanWindows: WindowSummary(pieces: human),
            windowPieceFiles: windowFiles, validationURLs: validationURLs,
            generatedRuns: generatedRuns, validationRuns: validationRuns, copySeedLength: copies.seedLength,
            regeneration: gain)
    }

    /// The token ids of `request.pieces` pieces at the default settings (seeds firstSeed...),
    /// and how many could not be generated.
    static func generatePieces(_ loaded: LoadedModel, request: ModelCardRequest) -> (pieces: [[Int]], failures: Int) {
        var generated: [[Int]] = []
        var failures = 0
        for i in 0..<request.pieces {
            do {
                let piece = try PieceGenerator.generate(
                    model: loaded.model, tokenizer: loaded.tokenizer, checkpointName: loaded.name,
                    request: PieceRequest(bars: request.bars, settings: .default, seed: request.firstSeed &+ UInt64(i)))
                generated.append(piece.tokens)
            } catch {
                failures += 1
            }
        }
        return (generated, failures)
    }

    /// The tokens of the first `count` bars of a sequence.
    static func firstBars(_ ids: [Int], _ count: Int, _ v: Vocabulary) -> [Int] {
        let starts = v.barStartIndices(ids)
        return starts.count > count ? Array(ids[..<starts[count]]) : ids
    }

    static func median(_ sorted: [Int]) -> Int { sorted.isEmpty ? 0 : sorted[sorted.count / 2] }
}
