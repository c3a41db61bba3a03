// Changing an inner bar of a session: coherent regeneration (K candidates, keep the one under
// which the following bars are most likely) and going back to an earlier take. Both re-feed
// the following bars so their start states, and the per-token probabilities, stay true.

import Foundation

extension CompositionSession {
    /// What re-feeding the bars from some bar on produces, before it is committed.
    struct Refeed {
        var starts: [Boundary]
        var probabilities: [[Float]]
        var candidateStart: Boundary?
        var candidateProbabilities: [Float]
        var end: Boundary
        /// Sum of the log-probabilities of every re-fed token, nats.
        var logLikelihood: Double
    }

    /// Feeds the selected takes of bars[firstBar...] and then the candidate, from `start`.
    /// Nil when some token is no longer legal there.
    func refeed(from firstBar: Int, start: Boundary) -> Refeed? {
        var boundary = start
        var result = Refeed(starts: [], probabilities: [], candidateStart: nil, candidateProbabilities: [],
                            end: start, logLikelihood: 0)
        func feedAll(_ tokens: [Int]) -> [Float]? {
            var probabilities: [Float] = []
            probabilities.reserveCapacity(tokens.count)
            for token in tokens {
                guard let logP = legalLogProbability(of: token, at: boundary) else { return nil }
                result.logLikelihood += logP
                probabilities.append(Float(exp(logP)))
                feed(token, into: &boundary)
            }
            return probabilities
        }
        for j in firstBar..<bars.count {
            result.starts.append(boundary)
            guard let p = feedAll(bars[j].tokens) else { return nil }
            result.probabilities.append(p)
        }
        if let candidate {
            result.candidateStart = boundary
            guard let p = feedAll(candidate.take.tokens) else { return nil }
            result.candidateProbabilities = p
        }
        result.end = boundary
        return result
    }

    /// Installs a re-feed computed from bar `firstBar`.
    func commit(_ r: Refeed, from firstBar: Int) {
        for (offset, j) in (firstBar..<bars.count).enumerated() {
            bars[j].start = r.starts[offset]
            bars[j].takes[bars[j].selectedTake].probabilities = r.probabilities[offset]
        }
        if candidate != nil, let start = r.candidateStart {
            candidate!.start = start
            candidate!.take.probabilities = r.candidateProbabilities
        }
        end = r.end
    }

    /// The bar's header: the TS, KEY and TEMPO tokens between its BAR and its first POS.
    func header(of tokens: [Int]) -> [Int] {
        let v = tokenizer.vocabulary
        return Array(tokens.dropFirst().prefix { v.kind(of: $0)?.isBarHeader == true })
    }

    /// Samples a whole bar from `start`: BAR and `header` are fed first (no other TS or
    /// TEMPO may open it), then tokens until the model samples BAR, which is not fed.
    /// Returns the take and the boundary after its last token.
    func sampleBar(from start: Boundary, header: [Int]) throws -> (Take, Boundary) {
        var boundary = start
        var take = Take(tokens: [], probabilities: [], origin: .sampled(settings))
        for token in [barToken] + header {
            take.tokens.append(token)
            take.probabilities.append(Float(legalProbability(of: token, at: boundary) ?? 0))
            feed(token, into: &boundary)
        }
        while true {
            let sampled = try sampleNext(at: boundary, forceEnd: take.tokens.count >= maximumTokensPerBar, keepHeader: true)
            if sampled.token == barToken { break }
            take.tokens.append(sampled.token)
            take.probabilities.append(Float(sampled.probability))
            feed(sampled.token, into: &boundary)
        }
        return (take, boundary)
    }

    /// Samples a new take of accepted bar `k` from the state at its start; every other bar
    /// keeps its notes. The bar keeps its header (time signature and tempo marking), so the
    /// meter of the following bars stays what it was; its onsets and notes are resampled. With bars (or a candidate) after it, K = `regenerationCandidates`
    /// candidates are sampled and the one under which the following tokens are most likely
    /// is kept; the following bars are re-fed. The new take is appended and selected.
    /// Throws for a bar that does not exist, or (leaving the piece unchanged) when no
    /// candidate lets the following bars stay legal.
    @discardableResult
    public func regenerate(bar k: Int) throws -> RegenerationReport {
        guard k >= 0, k < bars.count else { throw GenerationError.noSuchBar(index: k, barCount: bars.count) }
        let start = bars[k].start
        let hasFollowing = k + 1 < bars.count || candidate != nil
        let count = hasFollowing ? max(1, regenerationCandidates) : 1
        var likelihoods: [Double] = []
        var best: (index: Int, take: Take, refeed: Refeed?)?
        for i in 0..<count {
            let (take, boundary) = try sampleBar(from: start, header: header(of: bars[k].tokens))
            guard hasFollowing else {
                best = (i, take, Refeed(starts: [], probabilities: [], candidateStart: nil, candidateProbabilities: [],
                                        end: boundary, logLikelihood: 0))
                break
            }
            guard let r = refeed(from: k + 1, start: boundary) else { likelihoods.append(-.infinity); continue }
            // The BAR that ends the candidate is the first token re-fed, so it is counted.
            let logLikelihood = r.logLikelihood
            likelihoods.append(logLikelihood)
            if best == nil || logLikelihood > likelihoods[best!.index] { best = (i, take, r) }
        }
        guard let best, let r = best.refeed else { throw GenerationError.takeDoesNotFit(bar: k) }
        bars[k].takes.append(best.take)
        bars[k].selectedTake = bars[k].takes.count - 1
        commit(r, from: k + 1)
        version += 1
        return RegenerationReport(bar: k, take: bars[k].selectedTake, candidateLogLikelihoods: likelihoods,
                                  chosenCandidate: best.index)
    }

    /// Selects take `j` of bar `k` (0 is the first take) and re-feeds the following bars.
    /// Throws, changing nothing, for a bar or take that does not exist or when the
    /// following bars are not legal after that take.
    public func selectTake(bar k: Int, take j: Int) throws {
        guard k >= 0, k < bars.count else { throw GenerationError.noSuchBar(index: k, barCount: bars.count) }
        guard j >= 0, j < bars[k].takes.count else {
            throw GenerationError.noSuchTake(bar: k, take: j, takeCount: bars[k].takes.count)
        }
        if j == bars[k].selectedTake { return }
        let previous = bars[k].selectedTake
        bars[k].selectedTake = j
        guard let r = refeed(from: k, start: bars[k].start) else {
            bars[k].selectedTake = previous
            throw GenerationError.takeDoesNotFit(bar: k)
        }
        commit(r, from: k)
        version += 1
    }

    /// Number of takes of accepted bar `k`, and which is selected.
    public func takes(ofBar k: Int) throws -> (count: Int, selected: Int) {
        guard k >= 0, k < bars.count else { throw GenerationError.noSuchBar(index: k, barCount: bars.count) }
        return (bars[k].takes.count, bars[k].selectedTake)
    }
}
