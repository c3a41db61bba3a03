// Measures what coherent regeneration buys: for inner bars of generated pieces, the
// log-likelihood of the following bars under the best of K candidates against under the
// first candidate alone (which is exactly a single ordinary sample).
import NN
import Tokenization

public struct RegenerationGainResult: Hashable, Sendable, Codable {
    public var regenerations = 0
    public var candidates = 0
    /// Mean log-likelihood of the following bars, nats: single sample, best of K.
    public var meanSingle = 0.0
    public var meanBestOfK = 0.0
    /// Mean number of tokens scored per regeneration (the following bars).
    public var meanFollowingTokens = 0.0
    public var gainPerRegeneration: Double { meanBestOfK - meanSingle }
    public var gainPerToken: Double { meanFollowingTokens > 0 ? gainPerRegeneration / meanFollowingTokens : 0 }

    public init() {}
}

public enum RegenerationGain {
    /// `pieces` pieces of `bars` bars (seeds seed, seed+1, ...); in each, bars at 1/4, 1/2
    /// and 3/4 of the piece are regenerated with K candidates and default settings otherwise.
    public static func measure(model: LSTMModel, tokenizer: Tokenizer, pieces: Int, bars: Int, candidates k: Int,
                               seed: UInt64, style: String? = nil, maxTokensPerBar: Int = 512) throws -> RegenerationGainResult {
        var result = RegenerationGainResult()
        result.candidates = k
        var single = 0.0, best = 0.0, following = 0.0
        for p in 0..<pieces {
            let session = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: "", style: style,
                                                 seed: seed &+ UInt64(p))
            session.regenerationCandidates = k
            session.maximumTokensPerBar = maxTokensPerBar
            for _ in 0..<bars { try session.generateBar() }
            for bar in Set([bars / 4, bars / 2, 3 * bars / 4]).sorted() where bar + 1 < bars {
                let followingTokens = session.bars[(bar + 1)...].reduce(0) { $0 + $1.tokens.count }
                let report = try session.regenerate(bar: bar)
                let scores = report.candidateLogLikelihoods
                guard let first = scores.first, first.isFinite, let top = scores.max() else { continue }
                single += first
                best += top
                following += Double(followingTokens)
                result.regenerations += 1
            }
        }
        if result.regenerations > 0 {
            let n = Double(result.regenerations)
            result.meanSingle = single / n
            result.meanBestOfK = best / n
            result.meanFollowingTokens = following / n
        }
        return result
    }
}
