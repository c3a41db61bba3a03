// `cadenza bench --regenerate`: best-of-K regeneration of a bar with the K candidates batched
// (sampled in lockstep, the following bars re-fed for all K at once) against the same K
// sampled and re-fed one after another, on a real model. Both ways regenerate the same inner
// bars of one piece, alternating, so they see the same following bars. The clock is injected.
import NN
import Tokenization

public struct RegenerationBenchmarkResult: Codable, Sendable {
    public var candidates: Int
    public var regenerations: Int
    /// Bars of the piece, and tokens re-fed after a regenerated bar (mean).
    public var bars: Int
    public var meanFollowingTokens: Double
    public var batchedMedianSeconds: Double
    public var sequentialMedianSeconds: Double
    /// The model alone: one step of one stream, and one batched step of K streams (median).
    public var streamStepSeconds: Double
    public var batchedStepSeconds: Double
    /// The engine checked against itself on this model (EngineAgreement).
    public var agreement: EngineAgreementReport
    public var speedup: Double { batchedMedianSeconds > 0 ? sequentialMedianSeconds / batchedMedianSeconds : 0 }

    enum CodingKeys: String, CodingKey {
        case candidates, regenerations, bars
        case meanFollowingTokens = "mean_following_tokens"
        case batchedMedianSeconds = "batched_median_s"
        case sequentialMedianSeconds = "sequential_median_s"
        case streamStepSeconds = "stream_step_s"
        case batchedStepSeconds = "batched_step_s"
        case agreement = "engine_check"
    }
}

public enum RegenerationBenchmark {
    /// A piece of `bars` bars from `seed`, then `regenerations` regenerations each way of the
    /// bars at 1/4, 1/2 and 3/4 of it in turn, with K = `candidates`. 18 regenerations: the
    /// median of 6 moved by up to 2x between runs on a shared 2-core machine.
    public static func run(model: LSTMModel, tokenizer: Tokenizer, bars: Int = 16, candidates: Int = 4,
                           regenerations: Int = 18, seed: UInt64 = 1,
                           nanoseconds: () -> UInt64) throws -> RegenerationBenchmarkResult {
        precondition(bars >= 4 && candidates >= 1 && regenerations >= 1, "bars >= 4, candidates and regenerations >= 1")
        let session = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: "", seed: seed)
        session.regenerationCandidates = candidates
        for _ in 0..<bars { try session.generateBar() }
        let targets = [bars / 4, bars / 2, 3 * bars / 4]
        var batched: [Double] = [], sequential: [Double] = [], following = 0.0
        for i in 0..<regenerations {
            let bar = targets[i % targets.count]
            following += Double(session.bars[(bar + 1)...].reduce(0) { $0 + $1.tokens.count })
            for batch in [true, false] {
                let start = nanoseconds()
                do { try session.regenerate(bar: bar, batched: batch) } catch GenerationError.takeDoesNotFit {}
                let seconds = Double(nanoseconds() - start) * 1e-9
                if batch { batched.append(seconds) } else { sequential.append(seconds) }
            }
        }
        let (stream, batch) = stepTimes(model: model, streams: candidates, nanoseconds: nanoseconds)
        return RegenerationBenchmarkResult(
            candidates: candidates, regenerations: regenerations, bars: bars,
            meanFollowingTokens: following / Double(regenerations),
            batchedMedianSeconds: EngineBenchmark.median(batched), sequentialMedianSeconds: EngineBenchmark.median(sequential),
            streamStepSeconds: stream, batchedStepSeconds: batch, agreement: EngineAgreement.check(model: model))
    }

    /// Median seconds of a one-stream step and of a batched step of `streams` streams.
    static func stepTimes(model: LSTMModel, streams: Int, steps: Int = 200,
                          nanoseconds: () -> UInt64) -> (stream: Double, batched: Double) {
        let inference = LSTMInference(model: model)
        let V = model.configuration.vocabularySize
        var one = inference.makeState(), many = Array(repeating: inference.makeState(), count: streams)
        var logits = [Float](repeating: 0, count: V * streams)
        var single: [Double] = [], batched: [Double] = []
        logits.withUnsafeMutableBufferPointer { out in
            let first = UnsafeMutableBufferPointer(rebasing: out[0..<V])
            for i in 0..<steps {
                let t0 = nanoseconds()
                inference.step(token: i % V, state: &one, logits: first)
                let t1 = nanoseconds()
                inference.step(tokens: (0..<streams).map { (i + $0) % V }, states: &many, logits: out)
                let t2 = nanoseconds()
                single.append(Double(t1 - t0) * 1e-9)
                batched.append(Double(t2 - t1) * 1e-9)
            }
        }
        return (EngineBenchmark.median(single), EngineBenchmark.median(batched))
    }
}
