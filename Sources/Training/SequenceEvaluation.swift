// Held-out loss of token sequences: each sequence predicts its tokens 2...n from the ones
// before, starting from a zero state (as ../shared/bench/torch_reference.py does). Runs the
// trainer's batched forward pass: sequences are dealt to B rows, cut into T-step chunks,
// padded with ignored targets, and a row's state is zeroed when it starts a new sequence.
// Losses are summed in Double; per-kind sums when the vocabulary is known.
import NN
import Tokenization

public struct EvaluationResult: Equatable, Sendable {
    public var nllSum = 0.0
    public var predictions = 0
    public var sequences = 0
    /// Summed NLL and count per kind of the predicted token ("bar", "pitch", ...).
    public var byKind: [String: (sum: Double, count: Int)] = [:]

    public var meanNLL: Double { predictions > 0 ? nllSum / Double(predictions) : .nan }
    public var perplexity: Double { exp(meanNLL) }

    /// Throws `nonFiniteLoss` naming `checkpoint` when the summed loss is NaN or infinite
    /// (a report of "mean NLL nan" would look like a result).
    public func checkFinite(checkpoint: String) throws {
        guard nllSum.isFinite else { throw TrainingError.nonFiniteLoss(path: checkpoint, loss: nllSum) }
    }

    public static func == (a: EvaluationResult, b: EvaluationResult) -> Bool {
        a.nllSum == b.nllSum && a.predictions == b.predictions && a.sequences == b.sequences
            && a.byKind.mapValues(\.sum) == b.byKind.mapValues(\.sum) && a.byKind.mapValues(\.count) == b.byKind.mapValues(\.count)
    }
}

public enum SequenceEvaluation {
    /// Evaluates `sequences` with `model` (dropout off). `vocabulary`, when given and of the
    /// model's size, adds the per-kind breakdown. Token ids must be in 0..<V.
    public static func evaluate(
        model: LSTMModel, sequences: [[Int]], vocabulary: Vocabulary? = nil,
        batchSize: Int = 16, sequenceLength: Int = 128
    ) throws -> EvaluationResult {
        let V = model.configuration.vocabularySize
        for s in sequences { for id in s where id < 0 || id >= V { throw TrainingError.tokenOutOfRange(id: id, vocabularySize: V) } }
        let kinds = vocabulary.flatMap { $0.count == V ? $0 : nil }
        var result = EvaluationResult()
        result.sequences = sequences.count
        let work = sequences.filter { $0.count > 1 }
        guard !work.isEmpty else { return result }
        let longest = work.map { $0.count - 1 }.max()!
        let B = max(1, min(batchSize, work.count))
        let T = max(1, min(sequenceLength, longest))
        let trainer = LSTMTrainer(model: model, batchSize: B, sequenceLength: T, seed: 0)
        let (L, H) = (model.configuration.layers, model.configuration.hiddenSize)
        var state = trainer.makeBatchState()
        var inputs = [Int32](repeating: 0, count: B * T)
        var targets = [Int32](repeating: -1, count: B * T)
        var losses = [Float](repeating: 0, count: B * T)
        // Per row: the sequence it works on (index into work) and the next position to predict from.
        var rowSequence = [Int](repeating: -1, count: B)
        var rowPosition = [Int](repeating: 0, count: B)
        var nextSequence = 0
        while true {
            var active = false
            for b in 0..<B {
                if rowSequence[b] < 0 || rowPosition[b] >= work[rowSequence[b]].count - 1 {
                    // Start the next sequence on this row from a zero state.
                    if nextSequence < work.count {
                        rowSequence[b] = nextSequence
                        rowPosition[b] = 0
                        nextSequence += 1
                        for k in 0..<L {
                            let base = (k * B + b) * H
                            for j in 0..<H { state.h[base + j] = 0; state.c[base + j] = 0 }
                        }
                    } else {
                        rowSequence[b] = -1
                    }
                }
                for t in 0..<T { inputs[b * T + t] = 0; targets[b * T + t] = -1 }
                guard rowSequence[b] >= 0 else { continue }
                active = true
                let seq = work[rowSequence[b]]
                let p = rowPosition[b]
                let n = min(T, seq.count - 1 - p)
                for t in 0..<n {
                    inputs[b * T + t] = Int32(seq[p + t])
                    targets[b * T + t] = Int32(seq[p + t + 1])
                }
            }
            guard active else { break }
            _ = losses.withUnsafeMutableBufferPointer { buffer in
                trainer.evaluate(inputs: inputs, targets: targets, state: &state, positionLosses: buffer)
            }
            for b in 0..<B where rowSequence[b] >= 0 {
                for t in 0..<T where targets[b * T + t] >= 0 {
                    let loss = Double(losses[b * T + t])
                    result.nllSum += loss
                    result.predictions += 1
                    if let v = kinds {
                        let kind = v.token(Int(targets[b * T + t])).kind.rawValue
                        let old = result.byKind[kind] ?? (0, 0)
                        result.byKind[kind] = (old.sum + loss, old.count + 1)
                    }
                }
                rowPosition[b] += T
            }
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
