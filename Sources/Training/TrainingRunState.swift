// The parts of a training run (TrainingRun.swift): the data it trains and validates on, the
// plan (batches, steps, schedule, model shape), and the state that changes as it trains
// (where it is, the best loss, the checkpoints saved), with the saving and validating.
import FileSafety
import Foundation
import NN
import Tokenization

/// The corpus split for training: token streams to train on, sequences to validate on.
struct TrainingData {
    var trainingFiles: [[UInt16]]
    var validationSequences: [[Int]]
    var trainingTokens: Int
    var usableFiles: Int
    var corpusHash: String

    init(corpus: LoadedCorpus, validationFraction: Double) {
        let split = CorpusSplit(corpus.files, validationFraction: validationFraction)
        trainingFiles = split.training.map(\.tokens)
        validationSequences = split.validation.map { $0.tokens.map(Int.init) }
        trainingTokens = trainingFiles.reduce(0) { $0 + $1.count }
        usableFiles = corpus.files.count
        corpusHash = corpus.contentHash
    }
}

/// What the options make of the data: the batch streams of each epoch, the steps, the
/// learning-rate schedule and the model's shape.
struct TrainingPlan {
    let data: TrainingData
    let vocabulary: Vocabulary
    let options: TrainingOptions
    let stepsPerEpoch: Int
    let totalSteps: Int
    let schedule: LearningRateSchedule
    let configuration: LSTMConfiguration
    /// A loss this far above a uniform guess is divergence even when finite.
    let explodedLoss: Double

    init(data: TrainingData, vocabulary: Vocabulary, options: TrainingOptions) throws {
        self.data = data
        self.vocabulary = vocabulary
        self.options = options
        let (B, T) = (options.batchSize, options.sequenceLength)
        stepsPerEpoch = BatchStreams(files: data.trainingFiles, batchSize: B, sequenceLength: T,
                                     pitchIDs: vocabulary.ids(of: .pitch), keyIDs: vocabulary.ids(of: .key),
                                     augmentSemitones: options.augmentTranspose,
                                     seed: options.seed, epoch: 0).stepsPerEpoch
        guard stepsPerEpoch >= 1 else {
            throw TrainingError.notEnoughTokens(detail: "\(data.trainingTokens) training tokens do not fill one batch of \(B) rows × \(T + 1) tokens; lower --batch-size or --seq-len")
        }
        totalSteps = stepsPerEpoch * options.epochs
        let warmup = options.warmupSteps ?? min(500, totalSteps / 50)
        schedule = LearningRateSchedule(
            baseRate: options.learningRate, warmupSteps: warmup,
            decay: .cosine(totalSteps: max(1, totalSteps - warmup), minimum: options.learningRate / 10))
        configuration = LSTMConfiguration(
            vocabularySize: vocabulary.count, embeddingSize: options.embeddingSize, hiddenSize: options.hiddenSize,
            layers: options.layers, dropout: options.dropout)
        explodedLoss = 20 * Foundation.log(Double(max(2, vocabulary.count)))
    }

    /// The batches of `epoch` (its own order and transpositions).
    func streams(epoch: Int) -> BatchStreams {
        BatchStreams(files: data.trainingFiles, batchSize: options.batchSize, sequenceLength: options.sequenceLength,
                     pitchIDs: vocabulary.ids(of: .pitch), keyIDs: vocabulary.ids(of: .key),
                     augmentSemitones: options.augmentTranspose, seed: options.seed, epoch: epoch)
    }
}

/// Where a run is and what it has saved; saves checkpoints and validates.
final class RunState {
    let options: TrainingOptions
    let vocabulary: Vocabulary
    let data: TrainingData
    let plan: TrainingPlan
    let model: LSTMModel
    let trainer: LSTMTrainer
    /// Opened by `openLog()` once the run is known to start (a refused resume writes nothing).
    private(set) var log: TrainingLog?
    let lastURL: URL, bestURL: URL
    let onEvent: (TrainingEvent) -> Void

    var epoch = 0, stepInEpoch = 0, tokensSeen = 0
    var bestLoss: Double?
    var lastSaved: URL?
    var bestSaved: URL?

    init(options: TrainingOptions, vocabulary: Vocabulary, data: TrainingData, plan: TrainingPlan, model: LSTMModel,
         trainer: LSTMTrainer, lastURL: URL, bestURL: URL, onEvent: @escaping (TrainingEvent) -> Void) {
        self.options = options
        self.vocabulary = vocabulary
        self.data = data
        self.plan = plan
        self.model = model
        self.trainer = trainer
        self.lastURL = lastURL
        self.bestURL = bestURL
        self.onEvent = onEvent
    }

    /// training-log.csv in the save folder (a resumed run appends to it).
    func openLog() throws {
        log = try TrainingLog(url: options.saveDirectory.appendingPathComponent("training-log.csv"))
    }

    /// Continues from `checkpoint` (at `url`): the optimizer state beside it, checked to be
    /// of the same step, and the epoch, step and best loss it records.
    func restoreProgress(of checkpoint: Checkpoint, from url: URL) throws {
        let progress: [String: String]
        let optimizerURL = OptimizerState.url(forCheckpoint: url)
        do { progress = try OptimizerState.load(into: trainer, from: optimizerURL) } catch let e as CheckpointError {
            throw TrainingError.incompatibleResume(detail: "\(e) (the .optim.safetensors beside the checkpoint is needed)")
        }
        try ResumePair.check(checkpoint: checkpoint.metadata, at: url, optimizerStep: trainer.step,
                             optimizerTokensSeen: Int(progress["tokens_seen"] ?? ""), at: optimizerURL)
        epoch = Int(progress["epoch"] ?? "") ?? 0
        stepInEpoch = Int(progress["step_in_epoch"] ?? "") ?? 0
        tokensSeen = Int(progress["tokens_seen"] ?? "") ?? 0
        bestLoss = progress["best_validation_loss"].flatMap(Double.init)
        if progress["corpus_hash"] != data.corpusHash {
            onEvent(.warning("the corpus differs from the one this run started on; the resumed run will not match an uninterrupted one"))
        }
        if stepInEpoch >= plan.stepsPerEpoch { epoch += 1; stepInEpoch = 0 }
        lastSaved = url
        bestSaved = FileManager.default.fileExists(atPath: bestURL.path) && bestLoss != nil ? bestURL : nil
        onEvent(.resumed(from: url.path, epoch: epoch, step: stepInEpoch))
    }

    func metadata(validationLoss: Double?) -> CheckpointMetadata {
        var m = CheckpointMetadata()
        m.vocabularyJSON = vocabulary.jsonString()
        m.hyperParameters = options.hyperParameters
        m.corpusFileCount = data.usableFiles
        m.corpusHash = data.corpusHash
        m.tokensSeen = tokensSeen
        m.step = trainer.step
        m.epochs = Double(epoch) + Double(stepInEpoch) / Double(plan.stepsPerEpoch)
        m.validationLoss = validationLoss
        m.createdBy = options.createdBy
        return m
    }

    /// last.safetensors, after its optimizer state (so a last.safetensors never pairs with
    /// an older .optim file).
    func saveLast(validationLoss: Double?) throws {
        do {
            try OptimizerState.save(trainer: trainer, progress: [
                "epoch": String(epoch), "step_in_epoch": String(stepInEpoch), "tokens_seen": String(tokensSeen),
                "best_validation_loss": bestLoss.map { String($0) } ?? "", "corpus_hash": data.corpusHash,
            ], to: OptimizerState.url(forCheckpoint: lastURL))
            try Checkpoint.save(model: model, metadata: metadata(validationLoss: validationLoss), to: lastURL, dtype: options.checkpointDType)
        } catch let e as CheckpointError {
            throw TrainingError.io(path: lastURL.path, detail: e.description)
        }
        lastSaved = lastURL
        onEvent(.saved(path: lastURL.path))
    }

    func saveBest(validationLoss: Double?) throws {
        do {
            try Checkpoint.save(model: model, metadata: metadata(validationLoss: validationLoss), to: bestURL, dtype: options.checkpointDType)
        } catch let e as CheckpointError {
            throw TrainingError.io(path: bestURL.path, detail: e.description)
        }
        bestSaved = bestURL
        onEvent(.saved(path: bestURL.path))
    }

    /// The end of an epoch: validate, save last, and best when it improved (or at the end of
    /// a run without validation files). `seconds` is the run's time so far, for the log.
    func endEpoch(seconds: () -> Double) throws {
        var validationLoss: Double?
        if !data.validationSequences.isEmpty {
            let result = try SequenceEvaluation.evaluate(model: model, sequences: data.validationSequences,
                                                         batchSize: min(options.batchSize, 32), sequenceLength: options.sequenceLength)
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
            log?.validation(epoch: epoch, step: trainer.step, tokensSeen: tokensSeen, loss: v, seconds: seconds())
            onEvent(.validated(epoch: epoch, loss: v, best: isBest))
        }
        try saveLast(validationLoss: validationLoss)
        if isBest || (data.validationSequences.isEmpty && epoch == options.epochs) { try saveBest(validationLoss: validationLoss) }
        log?.flush()
    }

    /// The outcome of every way a run ends, with the bigram baseline for comparison.
    func outcome(_ reason: TrainingOutcome.Reason) -> TrainingOutcome {
        var result = TrainingOutcome(reason: reason, lastCheckpoint: lastSaved, bestCheckpoint: bestSaved,
                                     bestValidationLoss: bestLoss, globalStep: trainer.step, tokensSeen: tokensSeen)
        if bestLoss != nil, !data.validationSequences.isEmpty {
            let baseline = NGramBaseline(vocabularySize: vocabulary.count, training: data.trainingFiles.map { $0.map(Int.init) })
            result.bigramValidationLoss = baseline.bigramNLL(data.validationSequences)
        }
        if result.isWorseThanBigram, let best = bestLoss, let bigram = result.bigramValidationLoss {
            onEvent(.warning(String(format: "the best validation loss %.4f is worse than the add-one bigram's %.4f on the same files: the model has learnt less than counting token pairs; train longer, or check --lr and the data", best, bigram)))
        }
        return result
    }
}

/// Training tokens per second, over windows of about two seconds (the first two steps
/// give a first estimate).
struct TokenRate {
    private var tokens = 0.0
    private var windowStart: Double
    private var steps = 0
    private(set) var tokensPerSecond = 0.0

    init(start: Double) { windowStart = start }

    mutating func add(tokens count: Int, at now: Double) {
        steps += 1
        tokens += Double(count)
        if now - windowStart >= 2 || steps <= 2 {
            tokensPerSecond = now > windowStart ? tokens / (now - windowStart) : 0
            if now - windowStart >= 2 { tokens = 0; windowStart = now }
        }
    }
}
