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
        refeed(from: firstBar, starts: [start])[0]
    }

    /// `refeed(from:start:)` from several starts at once (the candidates of a regenerated bar):
    /// the same tokens follow every start, so each token is one batched model step for all
    /// the starts still legal. Result r is nil when some token is not legal after starts[r].
    func refeed(from firstBar: Int, starts: [Boundary]) -> [Refeed?] {
        var boundaries = starts
        var results = starts.map {
            Refeed(starts: [], probabilities: [], candidateStart: nil, candidateProbabilities: [], end: $0, logLikelihood: 0)
        }
        var legal = Array(starts.indices)
        func feedAll(_ tokens: [Int]) -> [[Float]] {
            var probabilities = Array(repeating: [Float](), count: starts.count)
            for token in tokens {
                legal = legal.filter { r in
                    guard let logP = legalLogProbability(of: token, at: boundaries[r]) else { return false }
                    results[r].logLikelihood += logP
                    probabilities[r].append(Float(exp(logP)))
                    return true
                }
                feed(Array(repeating: token, count: legal.count), into: &boundaries, rows: legal)
            }
            return probabilities
        }
        for j in firstBar..<bars.count {
            for r in legal { results[r].starts.append(boundaries[r]) }
            let p = feedAll(bars[j].tokens)
            for r in legal { results[r].probabilities.append(p[r]) }
        }
        if let candidate {
            for r in legal { results[r].candidateStart = boundaries[r] }
            let p = feedAll(candidate.take.tokens)
            for r in legal { results[r].candidateProbabilities = p[r] }
        }
        for r in legal { results[r].end = boundaries[r] }
        let kept = Set(legal)
        return results.indices.map { kept.contains($0) ? results[$0] : nil }
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

    /// Samples `count` takes of a whole bar from `start`: BAR and `header` are fed first (no
    /// other TS or TEMPO may open it; the same tokens for every take, so fed once), then each
    /// take draws tokens until the model samples BAR, which is not fed. The takes still
    /// writing share one batched model step per token. Returns each take and the boundary
    /// after its last token.
    func sampleBars(from start: Boundary, header: [Int], count: Int) throws -> [(take: Take, end: Boundary)] {
        var opening = start
        var prefix = Take(tokens: [], probabilities: [], origin: .sampled(settings))
        for token in [barToken] + header {
            prefix.tokens.append(token)
            prefix.probabilities.append(Float(legalProbability(of: token, at: opening) ?? 0))
            feed(token, into: &opening)
        }
        var takes = Array(repeating: prefix, count: count)
        var boundaries = Array(repeating: opening, count: count)
        var writing = Array(0..<count)
        while !writing.isEmpty {
            var tokens: [Int] = []
            writing = try writing.filter { i in
                let sampled = try sampleNext(at: boundaries[i], forceEnd: takes[i].tokens.count >= maximumTokensPerBar,
                                             keepHeader: true)
                if sampled.token == barToken { return false }
                takes[i].tokens.append(sampled.token)
                takes[i].probabilities.append(Float(sampled.probability))
                tokens.append(sampled.token)
                return true
            }
            feed(tokens, into: &boundaries, rows: writing)
        }
        return Array(zip(takes, boundaries)).map { (take: $0.0, end: $0.1) }
    }

    /// Samples a new take of accepted bar `k` from the state at its start; every other bar
    /// keeps its notes. The bar keeps its header (time signature and tempo marking), so the
    /// meter of the following bars stays what it was; its onsets and notes are resampled. With bars (or a candidate) after it, K = `regenerationCandidates`
    /// candidates are sampled and the one under which the following tokens are most likely
    /// is kept; the following bars are re-fed. The new take is appended and selected.
    /// Throws for a bar that does not exist, or (leaving the piece unchanged) when no
    /// candidate lets the following bars stay legal.
    /// `batched` false samples and re-feeds the candidates one after another with one-stream
    /// steps (what `cadenza bench --regenerate` compares the batched way against).
    @discardableResult
    public func regenerate(bar k: Int, batched: Bool = true) throws -> RegenerationReport {
        guard k >= 0, k < bars.count else { throw GenerationError.noSuchBar(index: k, barCount: bars.count) }
        let start = bars[k].start, header = header(of: bars[k].tokens)
        let hasFollowing = k + 1 < bars.count || candidate != nil
        let count = hasFollowing ? max(1, regenerationCandidates) : 1
        var candidates: [(take: Take, end: Boundary)] = []
        var refeeds: [Refeed?] = []
        if batched {
            candidates = try sampleBars(from: start, header: header, count: count)
            refeeds = hasFollowing ? refeed(from: k + 1, starts: candidates.map(\.end)) : []
        } else {
            for _ in 0..<count {
                let sampled = try sampleBars(from: start, header: header, count: 1)[0]
                candidates.append(sampled)
                if hasFollowing { refeeds.append(refeed(from: k + 1, start: sampled.end)) }
            }
        }
        if !hasFollowing {
            refeeds = [Refeed(starts: [], probabilities: [], candidateStart: nil, candidateProbabilities: [],
                              end: candidates[0].end, logLikelihood: 0)]
        }
        // The BAR that ends a candidate is the first token re-fed, so it is counted.
        let likelihoods = hasFollowing ? refeeds.map { $0?.logLikelihood ?? -.infinity } : []
        var best: (index: Int, take: Take, refeed: Refeed?)?
        for (i, r) in refeeds.enumerated() where r != nil {
            if best == nil || r!.logLikelihood > best!.refeed!.logLikelihood { best = (i, candidates[i].take, r) }
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
