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
    /// Candidate token ids; after top-k and top-p, the kept ones largest first. Size V.
    private var candidates: [Int32] = []
    /// Unnormalised sampling weight exp((logit - max) / temperature), per token id. Size V.
    private var weights: [Double] = []
    /// The head of the candidates' order, largest weight first (CandidateRanking). Size V.
    private var ranked: [Int32] = []

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
            ranked = [Int32](repeating: 0, count: vocabularySize)
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
        var softmaxSum: Double?
        if settings.temperature <= 0 || settings.topK == 1 {
            chosen = best
        } else {
            (chosen, softmaxSum) = drawFiltered(logits: logits, allowed: allowed, maxLogit: maxLogit, generator: &generator)
        }
        let logProbability = softmaxSum.map { Double(logits[chosen]) - maxLogit - log($0) }
            ?? Self.logProbability(of: chosen, logits: logits, allowed: allowed, maxLogit: maxLogit)
        return SampledToken(token: chosen, probability: exp(logProbability), logProbability: logProbability)
    }

    /// Temperature, then min-p, then top-k, then top-p on what is left, then one draw. At
    /// temperature 1 (tempo tokens too) and no min-p, the weights are the temperature-1
    /// softmax's numerators over every legal token, summed in id order as logProbability sums
    /// them: that sum is returned too, so the chosen token's log-probability costs no second
    /// pass of exp (the same bits).
    private mutating func drawFiltered(logits: UnsafeBufferPointer<Float>, allowed: UnsafeBufferPointer<Bool>,
                                       maxLogit: Double, generator: inout SeededGenerator) -> (token: Int, softmaxSum: Double?) {
        let inverseTemperature = 1.0 / settings.temperature
        let tempoInverse = settings.tempoTemperature.map { 1.0 / $0 } ?? inverseTemperature
        let tempoIDs = self.tempoIDs
        let topK = settings.topK
        let topP = settings.topP
        let minP = settings.minP
        return candidates.withUnsafeMutableBufferPointer { cand in
            weights.withUnsafeMutableBufferPointer { w in
                ranked.withUnsafeMutableBufferPointer { order in
                    var n = 0
                    var mass = 0.0  // of every candidate, in id order (what top-p cuts when top-k is off)
                    for i in 0..<logits.count where allowed[i] {
                        w[i] = exp((Double(logits[i]) - maxLogit) * (tempoIDs.contains(i) ? tempoInverse : inverseTemperature))
                        // The best legal token has weight exp(0) = 1, so min-p compares with 1.
                        if w[i] < minP { continue }
                        cand[n] = Int32(i)
                        mass += w[i]
                        n += 1
                    }
                    let softmaxSum = inverseTemperature == 1 && tempoInverse == 1 && minP <= 0 ? mass : nil
                    let limit = topK > 0 ? min(n, topK) : n
                    if limit < n || topP < 1 {
                        // Only the head of the order is needed: the candidates go into a heap and come
                        // out largest first until top-k and top-p are satisfied (a full sort of a
                        // few hundred tokens cost more than the rest of the draw).
                        var ranking = CandidateRanking(cand, count: n, into: order, weights: UnsafeBufferPointer(w))
                        if limit < n {
                            while ranking.ranked < limit { ranking.next() }
                            mass = 0
                            for j in 0..<limit { mass += w[Int(order[j])] }
                        }
                        var kept = limit
                        if topP < 1 {
                            let target = topP * mass
                            var cumulative = 0.0
                            for j in 0..<limit {
                                if j == ranking.ranked { ranking.next() }
                                cumulative += w[Int(order[j])]
                                if cumulative >= target { kept = j + 1; break }
                            }
                        }
                        while ranking.ranked < kept { ranking.next() }
                        n = kept
                        cand.baseAddress!.update(from: order.baseAddress!, count: n)
                    }
                    var total = 0.0
                    for j in 0..<n { total += w[Int(cand[j])] }
                    let u = generator.nextUnitDouble() * total
                    var cumulative = 0.0
                    for j in 0..<n {
                        cumulative += w[Int(cand[j])]
                        if u < cumulative { return (Int(cand[j]), softmaxSum) }
                    }
                    // Rounding fallback: u = r * total can round up to exactly `total` when r is
                    // within 2^-53 of 1, and then no prefix sum exceeds it. The walk adds in the
                    // same order as `total`, so the last kept token is the right answer there.
                    // Zero-weight tokens sort last and are skipped by the strict `<` above.
                    var last = n - 1
                    while last > 0 && w[Int(cand[last])] == 0 { last -= 1 }
                    return (Int(cand[last]), softmaxSum)
                }
            }
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

/// Ranks candidates largest weight first, the lower id first on ties (so the order, and hence
/// the draw, does not depend on how it is computed), one at a time: a max-heap over the
/// candidates is built in place (O(count)), and each `next()` moves its root to the end of
/// `order` (O(log count)). Only the head of the order that top-k and top-p keep is computed.
struct CandidateRanking {
    private let heap: UnsafeMutableBufferPointer<Int32>
    private let order: UnsafeMutableBufferPointer<Int32>
    private let weights: UnsafeBufferPointer<Double>
    private var heapCount: Int
    /// How many candidates are in `order[0..<ranked]`.
    private(set) var ranked = 0

    /// Takes heap[0..<count] (scrambled as the heap is built); ranks into `order`.
    init(_ heap: UnsafeMutableBufferPointer<Int32>, count: Int, into order: UnsafeMutableBufferPointer<Int32>,
         weights: UnsafeBufferPointer<Double>) {
        self.heap = heap
        self.order = order
        self.weights = weights
        heapCount = count
        if count > 1 { for start in stride(from: count / 2 - 1, through: 0, by: -1) { siftDown(start) } }
    }

    /// a belongs before b: larger weight, or the same weight and a lower id.
    @inline(__always) private func before(_ a: Int32, _ b: Int32) -> Bool {
        let wa = weights[Int(a)], wb = weights[Int(b)]
        return wa > wb || (wa == wb && a < b)
    }

    private func siftDown(_ start: Int) {
        var root = start
        while true {
            let left = 2 * root + 1
            if left >= heapCount { return }
            var child = left
            if left + 1 < heapCount && before(heap[left + 1], heap[left]) { child = left + 1 }
            guard before(heap[child], heap[root]) else { return }
            heap.swapAt(child, root)
            root = child
        }
    }

    /// Appends the first candidate not yet ranked to `order`.
    mutating func next() {
        precondition(heapCount > 0, "every candidate is ranked")
        order[ranked] = heap[0]
        ranked += 1
        heapCount -= 1
        heap[0] = heap[heapCount]
        siftDown(0)
    }
}
