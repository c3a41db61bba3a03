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

    public func run() throws -> TrainingOutcome {
        let startSeconds = clock()
        var options = self.options
        try options.validate()
        ComputeThreads.set(options.threads)
        do {
            try FileManager.default.createDirectory(at: options.saveDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.io(path: options.saveDirectory.path, detail: "cannot create the save folder: \((error as NSError).localizedDescription)")
        }
        let stale = TemporaryFiles.removeStale(in: options.saveDirectory.path)
        if !stale.isEmpty { onEvent(.removedStaleFiles(paths: stale)) }
        try checkSaveFolderIsFree(options)

        // 1. Resume: the checkpoint fixes the model, the vocabulary and the run's hyper-parameters.
        var resumed: Checkpoint?
        if let resume = options.resume {
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint.load(from: resume) } catch let e as CheckpointError {
                throw TrainingError.incompatibleResume(detail: e.description)
            }
            guard checkpoint.metadata.vocabularyJSON != nil else {
                throw TrainingError.incompatibleResume(detail: "\(resume.path) has no vocabulary (not written by cadenza train)")
            }
            options = try options.resuming(with: checkpoint.metadata.hyperParameters, keepEpochs: options.epochsGiven)
            resumed = checkpoint
        }
        guard let dataDirectory = options.dataDirectory else { throw TrainingError.noDataFolder(checkpoint: options.resume?.path) }

        // 2. The corpus: files, vocabulary, tokens (cached), split.
        let vocabulary: Vocabulary
        if let json = resumed?.metadata.vocabularyJSON {
            do { vocabulary = try Vocabulary(jsonString: json) } catch {
                throw TrainingError.incompatibleResume(detail: "the checkpoint's vocabulary cannot be read: \(error)")
            }
        } else {
            let styles = options.styles ? Array(Set(try CorpusDiscovery.files(under: dataDirectory).compactMap(\.style))).sorted() : []
            vocabulary = Vocabulary(configuration: .default, styles: styles)
            do { try vocabulary.checkSize() } catch {
                throw TrainingError.invalidOption("""
                    --styles: \(styles.count) composer folders make \(vocabulary.count) tokens, more than the \
                    \(Vocabulary.maximumCount) that 16-bit token ids can hold; gather the files in fewer folders
                    """)
            }
        }
        let onEvent = self.onEvent
        let (corpus, cacheWarning) = try CorpusLoader.load(
            dataDirectory, tokenizer: Tokenizer(vocabulary: vocabulary), threads: options.threads, cacheIn: options.saveDirectory) { step in
            switch step {
            case .discovered(let n): onEvent(.discovered(files: n))
            case .tokenizing(let done, let total): onEvent(.tokenizing(done: done, total: total))
            }
        }
        if let cacheWarning { onEvent(.warning(cacheWarning)) }
        for file in corpus.skipped { onEvent(.skipped(path: file.relativePath, reason: file.reason)) }
        let usable = corpus.files, cacheHits = corpus.cacheHits, skipped = corpus.skipped.count
        let corpusHash = corpus.contentHash
        let split = CorpusSplit(usable, validationFraction: options.validationSplit)
        let trainingFiles = split.training.map(\.tokens)
        let validationSequences = split.validation.map { $0.tokens.map(Int.init) }
        let trainingTokens = trainingFiles.reduce(0) { $0 + $1.count }
        onEvent(.corpusReady(
            trainingFiles: split.training.count, validationFiles: split.validation.count, trainingTokens: trainingTokens,
            validationTokens: validationSequences.reduce(0) { $0 + $1.count }, cacheHits: cacheHits, skipped: skipped))

        // 3. Batches, schedule, model, trainer.
        let (B, T) = (options.batchSize, options.sequenceLength)
        let pitchIDs = vocabulary.pitchStart..<vocabulary.durationStart
        func streams(_ epoch: Int) -> BatchStreams {
            BatchStreams(files: trainingFiles, batchSize: B, sequenceLength: T, pitchIDs: pitchIDs,
                         keyIDs: vocabulary.keyStart..<vocabulary.count, augmentSemitones: options.augmentTranspose, seed: options.seed, epoch: epoch)
        }
        let stepsPerEpoch = streams(0).stepsPerEpoch
        guard stepsPerEpoch >= 1 else {
            throw TrainingError.notEnoughTokens(detail: "\(trainingTokens) training tokens do not fill one batch of \(B) rows × \(T + 1) tokens; lower --batch-size or --seq-len")
        }
        let totalSteps = stepsPerEpoch * options.epochs
        let warmup = options.warmupSteps ?? min(500, totalSteps / 50)
        let schedule = LearningRateSchedule(
            baseRate: options.learningRate, warmupSteps: warmup,
            decay: .cosine(totalSteps: max(1, totalSteps - warmup), minimum: options.learningRate / 10))
        let configuration = LSTMConfiguration(
            vocabularySize: vocabulary.count, embeddingSize: options.embeddingSize, hiddenSize: options.hiddenSize,
            layers: options.layers, dropout: options.dropout)
        let model: LSTMModel
        if let checkpoint = resumed {
            guard checkpoint.model.configuration.vocabularySize == vocabulary.count else {
                throw TrainingError.incompatibleResume(detail: "the model's vocabulary size differs from its stored vocabulary")
            }
            model = checkpoint.model
        } else {
            model = LSTMModel(configuration: configuration, seed: options.seed)
        }
        let trainer = LSTMTrainer(
            model: model, batchSize: B, sequenceLength: T,
            settings: AdamSettings(weightDecay: options.weightDecay, clipNorm: options.clipNorm), seed: options.seed &+ 1)
        trainer.carriesState = true
        onEvent(.modelReady(configuration: model.configuration, parameters: model.parameterCount, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps))

        var epoch = 0, stepInEpoch = 0, tokensSeen = 0
        var bestLoss: Double?
        if let resume = options.resume {
            let progress: [String: String]
            let optimizerURL = OptimizerState.url(forCheckpoint: resume)
            do { progress = try OptimizerState.load(into: trainer, from: optimizerURL) } catch let e as CheckpointError {
                throw TrainingError.incompatibleResume(detail: "\(e) (the .optim.safetensors beside the checkpoint is needed)")
            }
            try ResumePair.check(checkpoint: resumed!.metadata, at: resume, optimizerStep: trainer.step,
                                 optimizerTokensSeen: Int(progress["tokens_seen"] ?? ""), at: optimizerURL)
            epoch = Int(progress["epoch"] ?? "") ?? 0
            stepInEpoch = Int(progress["step_in_epoch"] ?? "") ?? 0
            tokensSeen = Int(progress["tokens_seen"] ?? "") ?? 0
            bestLoss = progress["best_validation_loss"].flatMap(Double.init)
            if progress["corpus_hash"] != corpusHash {
                onEvent(.warning("the corpus differs from the one this run started on; the resumed run will not match an uninterrupted one"))
            }
            if stepInEpoch >= stepsPerEpoch { epoch += 1; stepInEpoch = 0 }
            onEvent(.resumed(from: resume.path, epoch: epoch, step: stepInEpoch))
        }

        // 4. The log and the saving of checkpoints.
        let log = try TrainingLog(url: options.saveDirectory.appendingPathComponent("training-log.csv"))
        var lastSaved: URL? = resumed != nil ? options.resume : nil
        var bestSaved: URL? = FileManager.default.fileExists(atPath: bestURL.path) && bestLoss != nil ? bestURL : nil
        func metadata(validationLoss: Double?) -> CheckpointMetadata {
            var m = CheckpointMetadata()
            m.vocabularyJSON = vocabulary.jsonString()
            m.hyperParameters = options.hyperParameters
            m.corpusFileCount = usable.count
            m.corpusHash = corpusHash
            m.tokensSeen = tokensSeen
            m.step = trainer.step
            m.epochs = Double(epoch) + Double(stepInEpoch) / Double(stepsPerEpoch)
            m.validationLoss = validationLoss
            m.createdBy = options.createdBy
            return m
        }
        func saveLast(validationLoss: Double?) throws {
            do {
                // The optimizer state first: a last.safetensors never pairs with an older .optim file.
                try OptimizerState.save(trainer: trainer, progress: [
                    "epoch": String(epoch), "step_in_epoch": String(stepInEpoch), "tokens_seen": String(tokensSeen),
                    "best_validation_loss": bestLoss.map { String($0) } ?? "", "corpus_hash": corpusHash,
                ], to: OptimizerState.url(forCheckpoint: lastURL))
                try Checkpoint.save(model: model, metadata: metadata(validationLoss: validationLoss), to: lastURL, dtype: options.checkpointDType)
            } catch let e as CheckpointError {
                throw TrainingError.io(path: lastURL.path, detail: e.description)
            }
            lastSaved = lastURL
            onEvent(.saved(path: lastURL.path))
        }

        // The outcome of every way the loop ends, with the bigram baseline for comparison.
        func outcome(_ reason: TrainingOutcome.Reason) -> TrainingOutcome {
            var result = TrainingOutcome(reason: reason, lastCheckpoint: lastSaved, bestCheckpoint: bestSaved,
                                         bestValidationLoss: bestLoss, globalStep: trainer.step, tokensSeen: tokensSeen)
            if bestLoss != nil, !validationSequences.isEmpty {
                let baseline = NGramBaseline(vocabularySize: vocabulary.count, training: trainingFiles.map { $0.map(Int.init) })
                result.bigramValidationLoss = baseline.bigramNLL(validationSequences)
            }
            if result.isWorseThanBigram, let best = bestLoss, let bigram = result.bigramValidationLoss {
                onEvent(.warning(String(format: "the best validation loss %.4f is worse than the add-one bigram's %.4f on the same files: the model has learnt less than counting token pairs; train longer, or check --lr and the data", best, bigram)))
            }
            return result
        }

        // 5. The loop.
        var inputs = [Int32](repeating: 0, count: B * T)
        var targets = [Int32](repeating: 0, count: B * T)
        let runStart = clock()
        var rateTokens = 0.0, rateStart = runStart
        var tokensPerSecond = 0.0
        var stepsThisRun = 0
        while epoch < options.epochs {
            let plan = streams(epoch)
            let explodedLoss = 20 * Foundation.log(Double(max(2, vocabulary.count)))
            if stepInEpoch == 0 { trainer.resetState() }
            while stepInEpoch < stepsPerEpoch {
                plan.fill(step: stepInEpoch, inputs: &inputs, targets: &targets)
                let rate = schedule.rate(atStep: trainer.step)
                let loss = trainer.trainStep(inputs: inputs, targets: targets, learningRate: rate)
                // Saturated gates can keep an exploded loss finite: far above a uniform guess is divergence too.
                if !loss.isFinite || !trainer.lastGradientNorm.isFinite || Double(loss) > explodedLoss {
                    let message = "the loss became \(loss) at epoch \(epoch + 1), step \(stepInEpoch + 1); try a lower --lr or --clip"
                    return outcome(.diverged(message))
                }
                stepInEpoch += 1
                stepsThisRun += 1
                tokensSeen += B * T
                let now = clock()
                rateTokens += Double(B * T)
                if now - rateStart >= 2 || stepsThisRun <= 2 {
                    tokensPerSecond = now > rateStart ? rateTokens / (now - rateStart) : 0
                    if now - rateStart >= 2 { rateTokens = 0; rateStart = now }
                }
                let remaining = totalSteps - (epoch * stepsPerEpoch + stepInEpoch)
                let elapsed = now - startSeconds
                log.step(epoch: epoch + 1, step: trainer.step, tokensSeen: tokensSeen, loss: loss, learningRate: rate,
                         gradientNorm: trainer.lastGradientNorm, seconds: elapsed)
                onEvent(.step(StepReport(
                    epoch: epoch, epochs: options.epochs, stepInEpoch: stepInEpoch, stepsPerEpoch: stepsPerEpoch,
                    globalStep: trainer.step, totalSteps: totalSteps, loss: loss, learningRate: rate,
                    gradientNorm: trainer.lastGradientNorm, tokensPerSecond: tokensPerSecond, elapsedSeconds: elapsed,
                    etaSeconds: tokensPerSecond > 0 ? Double(remaining * B * T) / tokensPerSecond : nil)))
                let outOfTime = options.maxMinutes.map { now - startSeconds >= $0 * 60 } ?? false
                if shouldStop() || outOfTime {
                    try saveLast(validationLoss: nil)
                    log.flush()
                    return outcome(outOfTime ? .timeLimit : .interrupted)
                }
            }
            // End of epoch: validate, save last (and best).
            var validationLoss: Double?
            if !validationSequences.isEmpty {
                let result = try SequenceEvaluation.evaluate(model: model, sequences: validationSequences, batchSize: min(B, 32), sequenceLength: T)
                validationLoss = result.meanNLL
            }
            epoch += 1
            stepInEpoch = 0
            var isBest = false
            if let v = validationLoss, v.isFinite, bestLoss.map({ v < $0 }) ?? true {
                bestLoss = v
                isBest = true
            }
            if let v = validationLoss {
                log.validation(epoch: epoch, step: trainer.step, tokensSeen: tokensSeen, loss: v, seconds: clock() - startSeconds)
                onEvent(.validated(epoch: epoch, loss: v, best: isBest))
            }
            try saveLast(validationLoss: validationLoss)
            if isBest || (validationSequences.isEmpty && epoch == options.epochs) {
                do {
                    try Checkpoint.save(model: model, metadata: metadata(validationLoss: validationLoss), to: bestURL, dtype: options.checkpointDType)
                } catch let e as CheckpointError {
                    throw TrainingError.io(path: bestURL.path, detail: e.description)
                }
                bestSaved = bestURL
                onEvent(.saved(path: bestURL.path))
            }
            log.flush()
            if shouldStop() {
                return outcome(.interrupted)
            }
        }
        return outcome(.finished)
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
