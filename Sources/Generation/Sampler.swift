// The sampler: from one step's logits and the grammar's mask of legal tokens to one
// token, through temperature, min-p, top-k and top-p, with an injected seeded generator.
// Scratch buffers are allocated once per vocabulary size, never per token. It also
// reports how probable the chosen token was under the model (temperature 1, legal
// tokens only), which the session uses for colours and for likelihood scoring.
import Foundation

/// One sampled token and how sure the model was of it.
public struct SampledToken: Hashable, Sendable {
    public var token: Int
    /// The model's probability of `token` at temperature 1, renormalised over the legal
    /// tokens (what the model believes, not the sharpened distribution it was drawn from).
    public var probability: Double
    /// Natural log of `probability`.
    public var logProbability: Double
}

public struct Sampler {
    public var settings: SamplingSettings
    /// Ids that take `settings.tempoTemperature` instead of the temperature (the TEMPO
    /// block); empty for none.
    public var tempoIDs: Range<Int> = 0..<0
    /// Candidate token ids, then sorted by weight (largest first). Size V.
    private var candidates: [Int32] = []
    /// Unnormalised sampling weight exp((logit - max) / temperature), per token id. Size V.
    private var weights: [Double] = []

    public init(settings: SamplingSettings = .default) {
        self.settings = settings
    }

    /// Samples one legal token. `allowed[i]` says whether token i may follow (the grammar
    /// mask, applied before anything else); at least one token must be allowed. Returns nil
    /// when a logit is NaN or infinite: a broken model gives no distribution to sample from
    /// (the caller reports it; checking here costs one comparison per logit per token).
    public mutating func sample(logits: UnsafeBufferPointer<Float>, allowed: UnsafeBufferPointer<Bool>,
                                using generator: inout SeededGenerator) -> SampledToken? {
        let vocabularySize = logits.count
        precondition(allowed.count == vocabularySize, "mask and logits differ in size")
        if candidates.count != vocabularySize {
            candidates = [Int32](repeating: 0, count: vocabularySize)
            weights = [Double](repeating: 0, count: vocabularySize)
        }
        // 1. The largest legal logit (and the argmax, lowest id on ties).
        var best = -1
        var maxLogit = -Double.infinity
        for i in 0..<vocabularySize {
            guard logits[i].isFinite else { return nil }
            guard allowed[i] else { continue }
            let l = Double(logits[i])
            if best < 0 || l > maxLogit { best = i; maxLogit = l }
        }
        precondition(best >= 0, "the grammar allows no token")

        let chosen: Int
        if settings.temperature <= 0 || settings.topK == 1 {
            chosen = best
        } else {
            chosen = drawFiltered(logits: logits, allowed: allowed, maxLogit: maxLogit, generator: &generator)
        }
        let logProbability = Self.logProbability(of: chosen, logits: logits, allowed: allowed, maxLogit: maxLogit)
        return SampledToken(token: chosen, probability: exp(logProbability), logProbability: logProbability)
    }

    /// Temperature, then min-p, then top-k, then top-p on what is left, then one draw.
    private mutating func drawFiltered(logits: UnsafeBufferPointer<Float>, allowed: UnsafeBufferPointer<Bool>,
                                       maxLogit: Double, generator: inout SeededGenerator) -> Int {
        let inverseTemperature = 1.0 / settings.temperature
        let tempoInverse = settings.tempoTemperature.map { 1.0 / $0 } ?? inverseTemperature
        let tempoIDs = self.tempoIDs
        let topK = settings.topK
        let topP = settings.topP
        let minP = settings.minP
        return candidates.withUnsafeMutableBufferPointer { cand in
            weights.withUnsafeMutableBufferPointer { w in
                var n = 0
                for i in 0..<logits.count where allowed[i] {
                    w[i] = exp((Double(logits[i]) - maxLogit) * (tempoIDs.contains(i) ? tempoInverse : inverseTemperature))
                    // The best legal token has weight exp(0) = 1, so min-p compares with 1.
                    if w[i] < minP { continue }
                    cand[n] = Int32(i)
                    n += 1
                }
                if (topK > 0 && topK < n) || topP < 1 {
                    Self.heapSortDescending(cand, count: n, weights: UnsafeBufferPointer(w))
                    if topK > 0 { n = min(n, topK) }
                    if topP < 1 {
                        var mass = 0.0
                        for j in 0..<n { mass += w[Int(cand[j])] }
                        let target = topP * mass
                        var cumulative = 0.0
                        for j in 0..<n {
                            cumulative += w[Int(cand[j])]
                            if cumulative >= target { n = j + 1; break }
                        }
                    }
                }
                var total = 0.0
                for j in 0..<n { total += w[Int(cand[j])] }
                let u = generator.nextUnitDouble() * total
                var cumulative = 0.0
                for j in 0..<n {
                    cumulative += w[Int(cand[j])]
                    if u < cumulative { return Int(cand[j]) }
                }
                // Rounding fallback: u = r * total can round up to exactly `total` when r is
                // within 2^-53 of 1, and then no prefix sum exceeds it. The walk adds in the
                // same order as `total`, so the last kept token is the right answer there.
                // Zero-weight tokens sort last and are skipped by the strict `<` above.
                var last = n - 1
                while last > 0 && w[Int(cand[last])] == 0 { last -= 1 }
                return Int(cand[last])
            }
        }
    }

    /// Sorts cand[0..<count] by weight, largest first, lower id first on ties (so the order,
    /// and hence the draw, does not depend on the sort algorithm). In place, no allocation.
    private static func heapSortDescending(_ cand: UnsafeMutableBufferPointer<Int32>, count: Int,
                                           weights w: UnsafeBufferPointer<Double>) {
        // after(a, b): a comes after b in the final order. A max-heap on that order keeps
        // the element that belongs last at the root; popping it to the back each round
        // leaves the largest weights at the front.
        @inline(__always) func after(_ a: Int32, _ b: Int32) -> Bool {
            let wa = w[Int(a)], wb = w[Int(b)]
            return wa < wb || (wa == wb && a > b)
        }
        func siftDown(_ start: Int, _ end: Int) {
            var root = start
            while true {
                let left = 2 * root + 1
                if left >= end { return }
                var child = left
                if left + 1 < end && after(cand[left + 1], cand[left]) { child = left + 1 }
                if after(cand[child], cand[root]) { cand.swapAt(child, root); root = child } else { return }
            }
        }
        if count < 2 { return }
        for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(start, count) }
        for end in stride(from: count - 1, to: 0, by: -1) {
            cand.swapAt(0, end)
            siftDown(0, end)
        }
    }

    /// log p(token) under softmax(logits) restricted to the allowed tokens (temperature 1).
    /// A disallowed token gets -infinity. Used for reporting and likelihood scoring.
    public static func logProbability(of token: Int, logits: UnsafeBufferPointer<Float>,
                                      allowed: UnsafeBufferPointer<Bool>) -> Double {
        var maxLogit = -Double.infinity
        for i in 0..<logits.count where allowed[i] { maxLogit = max(maxLogit, Double(logits[i])) }
        return logProbability(of: token, logits: logits, allowed: allowed, maxLogit: maxLogit)
    }

    private static func logProbability(of token: Int, logits: UnsafeBufferPointer<Float>,
                                       allowed: UnsafeBufferPointer<Bool>, maxLogit: Double) -> Double {
        guard allowed[token], maxLogit.isFinite else { return -.infinity }
        var sum = 0.0
        for i in 0..<logits.count where allowed[i] { sum += exp(Double(logits[i]) - maxLogit) }
        return Double(logits[token]) - maxLogit - log(sum)
    }
}
