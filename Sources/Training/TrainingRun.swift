// The training loop of `cadenza train`: corpus -> tokens (cached) -> split -> model ->
// epochs of truncated-BPTT steps -> validation -> checkpoints. No printing and no clock of
// its own: progress goes to an event callback, time comes from an injected clock, and a
// stop request (Ctrl-C) from an injected flag checked after every step.
//
// Files in the save folder: last.safetensors (+ last.optim.safetensors, written first; both
// record the step and tokens seen, and resume refuses a pair that disagrees) after every epoch
// and on a stop; best.safetensors whenever the validation loss improves; training-log.csv
// (one row per step and per validation); tokens-<hash>.cache. Temporary files of a save
// that was killed (ours, .NAME.PID.RANDOM.tmp, whose process is gone) are removed at start.
import FileSafety
import Foundation
import NN
import Tokenization

public enum TrainingEvent: Sendable {
    case discovered(files: Int)
    case tokenizing(done: Int, total: Int)
    case skipped(path: String, reason: String)
    case corpusReady(trainingFiles: Int, validationFiles: Int, trainingTokens: Int, validationTokens: Int, cacheHits: Int, skipped: Int)
    case modelReady(configuration: LSTMConfiguration, parameters: Int, stepsPerEpoch: Int, totalSteps: Int)
    case resumed(from: String, epoch: Int, step: Int)
    case step(StepReport)
    case validated(epoch: Int, loss: Double, best: Bool)
    case saved(path: String)
    /// Temporary files of an earlier run's interrupted save, removed from the save folder.
    case removedStaleFiles(paths: [String])
    case warning(String)
}

public struct StepReport: Sendable {
    public var epoch: Int  // 0-based
    public var epochs: Int
    public var stepInEpoch: Int  // 1-based count of steps done in this epoch
    public var stepsPerEpoch: Int
    public var globalStep: Int
    public var totalSteps: Int
    public var loss: Float
    public var learningRate: Float
    public var gradientNorm: Float
    public var tokensPerSecond: Double
    public var elapsedSeconds: Double
    public var etaSeconds: Double?
}

public struct TrainingOutcome: Sendable {
    public enum Reason: Sendable, Equatable {
        case finished, interrupted, timeLimit
        case diverged(String)
    }
    public var reason: Reason
    /// The newest checkpoint on disk (last.safetensors), if any was written.
    public var lastCheckpoint: URL?
    public var bestCheckpoint: URL?
    public var bestValidationLoss: Double?
    public var globalStep: Int
    public var tokensSeen: Int
    /// The add-one bigram's NLL per token on the same validation files (nil without them).
    public var bigramValidationLoss: Double?

    /// True when the best model predicts the validation files worse than the add-one bigram:
    /// it learnt less than counting pairs of tokens would.
    public var isWorseThanBigram: Bool {
        guard let best = bestValidationLoss, let bigram = bigramValidationLoss else { return false }
        return best > bigram
    }
}

public final class TrainingRun {
    public let options: TrainingOptions
    let clock: () -> Double
    let shouldStop: () -> Bool
    let onEvent: (TrainingEvent) -> Void

    /// - Parameters:
    ///   - clock: seconds from any fixed origin (for tokens/s, ETA and --max-minutes).
    ///   - shouldStop: polled after every step; true finishes the step, saves and returns.
    public init(options: TrainingOptions, clock: @escaping () -> Double, shouldStop: @escaping () -> Bool = { false },
                onEvent: @escaping (TrainingEvent) -> Void = { _ in }) {
        self.options = options
        self.clock = clock
        self.shouldStop = shouldStop
        self.onEvent = onEvent
    }

    public var lastURL: URL { options.saveDirectory.appendingPathComponent("last.safetensors") }
    public var bestURL: URL { options.saveDirectory.appendingPathComponent("best.safetensors") }

    /// The run: prepare the save folder, resume, load the corpus, build the model and the
    /// trainer, then train epoch by epoch (validating and saving after each) until the last
    /// epoch, a stop request, the time limit or divergence.
    public func run() throws -> TrainingOutcome {
        let startSeconds = clock()
        var options = self.options
        try options.validate()
        ComputeThreads.set(options.threads)
        try prepareSaveFolder(options)
        let resumed = try loadResumedCheckpoint(&options)
        guard let dataDirectory = options.dataDirectory else { throw TrainingError.noDataFolder(checkpoint: options.resume?.path) }
        if self.options.dataDirectory == nil, let resume = options.resume, !FileManager.default.fileExists(atPath: dataDirectory.path) {
            throw TrainingError.io(path: dataDirectory.path, detail: "the folder \(resume.lastPathComponent) was trained on is gone; pass --data DIR")
        }
        let vocabulary = try makeVocabulary(resumed: resumed, options: options, dataDirectory: dataDirectory)
        let data = try loadData(dataDirectory, vocabulary: vocabulary, options: options)
        let plan = try TrainingPlan(data: data, vocabulary: vocabulary, options: options)
        let model = try resumed.map { try resumedModel($0, vocabulary: vocabulary) }
            ?? LSTMModel(configuration: plan.configuration, seed: options.seed)
        let trainer = LSTMTrainer(
            model: model, batchSize: options.batchSize, sequenceLength: options.sequenceLength,
            settings: AdamSettings(weightDecay: options.weightDecay, clipNorm: options.clipNorm), seed: options.seed &+ 1)
        trainer.carriesState = true
        onEvent(.modelReady(configuration: model.configuration, parameters: model.parameterCount,
                            stepsPerEpoch: plan.stepsPerEpoch, totalSteps: plan.totalSteps))
        let state = RunState(options: options, vocabulary: vocabulary, data: data, plan: plan, model: model, trainer: trainer,
                                 lastURL: lastURL, bestURL: bestURL, onEvent: onEvent)
        if let resumed, let resume = options.resume { try state.restoreProgress(of: resumed, from: resume) }
        try state.openLog()
        return try train(state, startSeconds: startSeconds)
    }

    // MARK: The steps of a run

    /// Creates the save folder, removes temporary files of a killed save, and refuses a
    /// folder that holds another run.
    func prepareSaveFolder(_ options: TrainingOptions) throws {
        do {
            try FileManager.default.createDirectory(at: options.saveDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.io(path: options.saveDirectory.path, detail: "cannot create the save folder: \((error as NSError).localizedDescription)")
        }
        let stale = TemporaryFiles.removeStale(in: options.saveDirectory.path)
        if !stale.isEmpty { onEvent(.removedStaleFiles(paths: stale)) }
        try checkSaveFolderIsFree(options)
    }

    /// With --resume: the checkpoint, whose hyper-parameters (and data folder, when none was
    /// given) replace those of `options`; it fixes the model and the vocabulary too.
    func loadResumedCheckpoint(_ options: inout TrainingOptions) throws -> Checkpoint? {
        guard let resume = options.resume else { return nil }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.load(from: resume) } catch let e as CheckpointError {
            throw TrainingError.incompatibleResume(detail: e.description)
        }
        guard checkpoint.metadata.vocabularyJSON != nil else {
            throw TrainingError.incompatibleResume(detail: "\(resume.path) has no vocabulary (not written by cadenza train)")
        }
        options = try options.resuming(with: checkpoint.metadata.hyperParameters, keepEpochs: options.epochsGiven)
        return checkpoint
    }

    /// The resumed checkpoint's vocabulary, else the default one (with the corpus's
    /// composer folders as styles under --styles).
    func makeVocabulary(resumed: Checkpoint?, options: TrainingOptions, dataDirectory: URL) throws -> Vocabulary {
        if let json = resumed?.metadata.vocabularyJSON {
            do { return try Vocabulary(jsonString: json) } catch {
                throw TrainingError.incompatibleResume(detail: "the checkpoint's vocabulary cannot be read: \(error)")
            }
        }
        let styles = options.styles ? Array(Set(try CorpusDiscovery.files(under: dataDirectory).compactMap(\.style))).sorted() : []
        let vocabulary = Vocabulary(configuration: .default, styles: styles)
        do { try vocabulary.checkSize() } catch {
            throw TrainingError.invalidOption("""
                --styles: \(styles.count) composer folders make \(vocabulary.count) tokens, more than the \
                \(Vocabulary.maximumCount) that 16-bit token ids can hold; gather the files in fewer folders
                """)
        }
        return vocabulary
    }

    /// The corpus (through the token cache in the save folder), split by whole files.
    func loadData(_ directory: URL, vocabulary: Vocabulary, options: TrainingOptions) throws -> TrainingData {
        let onEvent = self.onEvent
        let (corpus, cacheWarning) = try CorpusLoader.load(
            directory, tokenizer: Tokenizer(vocabulary: vocabulary), threads: options.threads, cacheIn: options.saveDirectory) { step in
            switch step {
            case .discovered(let n): onEvent(.discovered(files: n))
            case .tokenizing(let done, let total): onEvent(.tokenizing(done: done, total: total))
            }
        }
        if let cacheWarning { onEvent(.warning(cacheWarning)) }
        for file in corpus.skipped { onEvent(.skipped(path: file.relativePath, reason: file.reason)) }
        let data = TrainingData(corpus: corpus, validationFraction: options.validationSplit)
        onEvent(.corpusReady(
            trainingFiles: data.trainingFiles.count, validationFiles: data.validationSequences.count,
            trainingTokens: data.trainingTokens, validationTokens: data.validationSequences.reduce(0) { $0 + $1.count },
            cacheHits: corpus.cacheHits, skipped: corpus.skipped.count))
        return data
    }

    func resumedModel(_ checkpoint: Checkpoint, vocabulary: Vocabulary) throws -> LSTMModel {
        guard checkpoint.model.configuration.vocabularySize == vocabulary.count else {
            throw TrainingError.incompatibleResume(detail: "the model's vocabulary size differs from its stored vocabulary")
        }
        return checkpoint.model
    }

    /// Epochs of steps from where `state` stands, each followed by validation and saving.
    func train(_ state: RunState, startSeconds: Double) throws -> TrainingOutcome {
        // The run's options (a resumed run's come from its checkpoint), not `self.options`.
        let plan = state.plan, options = state.options
        let (B, T) = (options.batchSize, options.sequenceLength)
        var inputs = [Int32](repeating: 0, count: B * T)
        var targets = [Int32](repeating: 0, count: B * T)
        var speed = TokenRate(start: clock())
        while state.epoch < options.epochs {
            let streams = plan.streams(epoch: state.epoch)
            if state.stepInEpoch == 0 { state.trainer.resetState() }
            while state.stepInEpoch < plan.stepsPerEpoch {
                streams.fill(step: state.stepInEpoch, inputs: &inputs, targets: &targets)
                let rate = plan.schedule.rate(atStep: state.trainer.step)
                let loss = state.trainer.trainStep(inputs: inputs, targets: targets, learningRate: rate)
                // Saturated gates can keep an exploded loss finite: far above a uniform guess is divergence too.
                if !loss.isFinite || !state.trainer.lastGradientNorm.isFinite || Double(loss) > plan.explodedLoss {
                    let message = "the loss became \(loss) at epoch \(state.epoch + 1), step \(state.stepInEpoch + 1); try a lower --lr or --clip"
                    return state.outcome(.diverged(message))
                }
                state.stepInEpoch += 1
                state.tokensSeen += B * T
                let now = clock()
                speed.add(tokens: B * T, at: now)
                report(state, loss: loss, rate: rate, elapsed: now - startSeconds, tokensPerSecond: speed.tokensPerSecond)
                let outOfTime = options.maxMinutes.map { now - startSeconds >= $0 * 60 } ?? false
                if shouldStop() || outOfTime {
                    try state.saveLast(validationLoss: nil)
                    state.log?.flush()
                    return state.outcome(outOfTime ? .timeLimit : .interrupted)
                }
            }
            try state.endEpoch { self.clock() - startSeconds }
            if shouldStop() { return state.outcome(.interrupted) }
        }
        return state.outcome(.finished)
    }

    /// One step's row of the log and its progress event.
    func report(_ state: RunState, loss: Float, rate: Float, elapsed: Double, tokensPerSecond: Double) {
        let plan = state.plan, trainer = state.trainer
        let tokensPerStep = state.options.batchSize * state.options.sequenceLength
        let remaining = plan.totalSteps - (state.epoch * plan.stepsPerEpoch + state.stepInEpoch)
        state.log?.step(epoch: state.epoch + 1, step: trainer.step, tokensSeen: state.tokensSeen, loss: loss, learningRate: rate,
                       gradientNorm: trainer.lastGradientNorm, seconds: elapsed)
        onEvent(.step(StepReport(
            epoch: state.epoch, epochs: state.options.epochs, stepInEpoch: state.stepInEpoch, stepsPerEpoch: plan.stepsPerEpoch,
            globalStep: trainer.step, totalSteps: plan.totalSteps, loss: loss, learningRate: rate,
            gradientNorm: trainer.lastGradientNorm, tokensPerSecond: tokensPerSecond, elapsedSeconds: elapsed,
            etaSeconds: tokensPerSecond > 0 ? Double(remaining * tokensPerStep) / tokensPerSecond : nil)))
    }

    /// A new run (or a resume of another folder's checkpoint) must not replace the
    /// checkpoints of the run already in the save folder, unless `force`.
    func checkSaveFolderIsFree(_ options: TrainingOptions) throws {
        guard !options.force else { return }
        let folder = options.saveDirectory.standardizedFileURL
        guard let held = [lastURL, bestURL].first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return }
        if let resume = options.resume, resume.standardizedFileURL.deletingLastPathComponent().path == folder.path { return }
        throw TrainingError.saveFolderHoldsRun(folder: options.saveDirectory.path, checkpoint: held.path)
    }
}
