// The engine's two implementations checked against each other on one model, in whatever build
// runs it: the trainer's forward (BLAS input projections, the training kernel, the head as one
// product) and sampling's inference (the per-token table, the fused [W_ih | W_hh] packs, F16
// packs for F16 weights, the head pack). `cadenza bench` runs it on its models so a release
// build checks itself (the unit tests run in debug, and an optimiser-only bug once got past
// them). Three properties:
//  - the per-token losses of the inference stepping a sequence equal the trainer's within
//    `tolerance` nats (F32 sums in other orders differ in the last bits, nothing more);
//  - inference on 1, 2 and 3 threads gives the same bits;
//  - a batched step of several streams gives each stream the bits of its own single step.
import Foundation

public struct EngineAgreementReport: Codable, Sendable, Equatable {
    /// Largest |inference loss - trainer loss| over the checked tokens, nats.
    public var maxLossDifference: Double
    public var tokens: Int
    public var sameBitsAtEveryThreadCount: Bool
    public var batchedSameBitsAsSingle: Bool
    /// Loss differences above this mean the two implementations disagree.
    public static let tolerance = 1e-3

    public var agrees: Bool {
        maxLossDifference <= Self.tolerance && sameBitsAtEveryThreadCount && batchedSameBitsAsSingle
    }

    /// One line for people: what was checked, and what disagreed.
    public var summary: String {
        var problems: [String] = []
        if !(maxLossDifference <= Self.tolerance) {
            problems.append("inference and training losses differ by up to \(maxLossDifference) nats (tolerance \(Self.tolerance))")
        }
        if !sameBitsAtEveryThreadCount { problems.append("inference gives other bits at 1, 2 and 3 threads") }
        if !batchedSameBitsAsSingle { problems.append("a batched step differs from single steps") }
        if problems.isEmpty {
            return "inference agrees with the trainer over \(tokens) tokens (max loss difference "
                + String(format: "%.1e", maxLossDifference) + " nats), same bits at 1, 2 and 3 threads and batched"
        }
        return problems.joined(separator: "; ")
    }

    enum CodingKeys: String, CodingKey {
        case maxLossDifference = "max_loss_difference"
        case tokens
        case sameBitsAtEveryThreadCount = "same_bits_at_every_thread_count"
        case batchedSameBitsAsSingle = "batched_same_bits_as_single"
    }
}

public enum EngineAgreement {
    /// Checks `model` on `tokens` pseudo-random tokens from `seed` (at least 2).
    public static func check(model: LSTMModel, tokens: Int = 160, seed: UInt64 = 11) -> EngineAgreementReport {
        check(reference: model, inference: model, tokens: tokens, seed: seed)
    }

    /// The trainer runs `reference`, inference runs `inference` (the same model, except in the
    /// test that shows a disagreement is reported).
    static func check(reference: LSTMModel, inference model: LSTMModel, tokens count: Int, seed: UInt64) -> EngineAgreementReport {
        precondition(count >= 2, "at least 2 tokens")
        let V = model.configuration.vocabularySize
        var rng = SplitMix64(seed: seed)
        let streams = 3
        let sequences = (0..<streams).map { _ in (0..<count).map { _ in Int(rng.next() % UInt64(V)) } }

        // The trainer's per-position losses of sequence 0, from a zero state.
        let T = count - 1
        let trainer = LSTMTrainer(model: reference, batchSize: 1, sequenceLength: T, seed: 0)
        var reference = [Float](repeating: 0, count: T)
        reference.withUnsafeMutableBufferPointer { out in
            var state = trainer.makeBatchState()
            _ = trainer.evaluate(inputs: sequences[0].dropLast().map { Int32($0) }, targets: sequences[0].dropFirst().map { Int32($0) },
                                 state: &state, positionLosses: out)
        }

        // Inference's logits of sequence 0 on 1, 2 and 3 threads.
        let runs = [1, 2, 3].map { singleLogits(LSTMInference(model: model, threads: $0), sequences[0]) }
        var maxDifference = 0.0
        for t in 0..<T {
            let loss = negativeLogProbability(of: sequences[0][t + 1], logits: runs[0][(t * V)..<((t + 1) * V)])
            let difference = abs(loss - Double(reference[t]))
            maxDifference = difference.isNaN ? .infinity : max(maxDifference, difference)
        }
        let sameBits = runs.dropFirst().allSatisfy { bits($0) == bits(runs[0]) }

        // Every stream stepped alone, then all of them in batched steps.
        let inference = LSTMInference(model: model, threads: 2)
        let alone = sequences.map { singleLogits(inference, $0) }
        var states = Array(repeating: inference.makeState(), count: streams)
        var batched = [Float](repeating: 0, count: streams * V)
        var batchedAgrees = true
        for t in 0..<count {
            batched.withUnsafeMutableBufferPointer {
                inference.step(tokens: sequences.map { $0[t] }, states: &states, logits: $0)
            }
            for r in 0..<streams where bits(batched[(r * V)..<((r + 1) * V)]) != bits(alone[r][(t * V)..<((t + 1) * V)]) {
                batchedAgrees = false
            }
        }
        return EngineAgreementReport(maxLossDifference: maxDifference, tokens: T, sameBitsAtEveryThreadCount: sameBits,
                                     batchedSameBitsAsSingle: batchedAgrees)
    }

    /// The logits after each token of `tokens`, (count, V), from a zero state.
    private static func singleLogits(_ inference: LSTMInference, _ tokens: [Int]) -> [Float] {
        let V = inference.configuration.vocabularySize
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: tokens.count * V)
        logits.withUnsafeMutableBufferPointer { all in
            for (t, token) in tokens.enumerated() {
                inference.step(token: token, state: &state, logits: UnsafeMutableBufferPointer(rebasing: all[(t * V)..<((t + 1) * V)]))
            }
        }
        return logits
    }

    /// -log softmax(logits)[token], in Double.
    private static func negativeLogProbability(of token: Int, logits: ArraySlice<Float>) -> Double {
        let top = Double(logits.max()!)
        let sum = logits.reduce(0.0) { $0 + exp(Double($1) - top) }
        return top + log(sum) - Double(logits[logits.startIndex + token])
    }

    private static func bits<C: Collection>(_ values: C) -> [UInt32] where C.Element == Float { values.map(\.bitPattern) }
}
