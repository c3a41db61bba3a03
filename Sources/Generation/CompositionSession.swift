// The composition session: a piece as a list of bars, each with its takes and the model
// state at its start, plus the candidate bar being written. No UI here; the terminal
// composer drives it. Regeneration and take selection are in CompositionSession+Takes.swift,
// snapshots and export in CompositionSession+Export.swift.
//
// Token layout: prefix (BOS, optional STYLE) then bars; every bar's first token is BAR.
// The candidate ends when the model samples BAR: that BAR starts the next bar, so it is not
// stored in the candidate. EOS is never sampled (a piece stays open; export needs no EOS).
//
// Thread rules: a session is not internally synchronised. Call its methods from one thread
// at a time (the TUI's generation thread, or any thread under the caller's lock). What a
// UI draws from is `snapshot()`, a Sendable value that may be handed to any thread.
import Foundation
import MIDI
import NN
import Tokenization

public final class CompositionSession: @unchecked Sendable {
    /// Where each bar's generation starts: the state after every token before its BAR,
    /// the grammar there, and the logits that state produced (the distribution of that BAR).
    struct Boundary: Sendable {
        var state: LSTMState
        var grammar: GrammarState
        var logits: [Float]
    }

    struct BarRecord: Sendable {
        var start: Boundary
        var takes: [Take]
        var selectedTake: Int
        var isPrimer: Bool
        var tokens: [Int] { takes[selectedTake].tokens }
    }

    struct CandidateRecord: Sendable {
        var start: Boundary
        var take: Take
        var isComplete: Bool
    }

    // The model and tokenizer.
    let inference: LSTMInference
    public let tokenizer: Tokenizer
    /// Recorded in exported MIDI files (provenance).
    public let checkpointName: String
    let barToken: Int
    /// Tokens the session never samples: BOS, EOS, PAD and every STYLE token.
    let neverSampled: [Int]

    // Settings.
    /// Sampling settings; a change applies from the next token.
    public var settings: SamplingSettings { sampler.settings }

    /// Changes the sampling settings from the next token; invalid ones throw
    /// `GenerationError.invalidSetting` and leave the settings as they were.
    public func setSettings(_ newValue: SamplingSettings) throws {
        sampler.settings = try newValue.validated()
        version += 1
    }

    /// K: how many candidates `regenerate(bar:)` samples (at least 1; default 4).
    public var regenerationCandidates: Int = 4 {
        didSet { regenerationCandidates = max(1, regenerationCandidates); version += 1 }
    }
    /// The bar is ended (BAR forced where the grammar allows it) after this many tokens, so a
    /// model that never writes BAR cannot run away.
    public var maximumTokensPerBar: Int = 512
    /// The key every new bar is written in (its KEY token is forced); nil lets the model
    /// choose. Needs a vocabulary with KEY tokens (see `setKey(_:)`).
    public private(set) var key: MusicalKey?
    /// Without a chosen key: true keeps the key of the previous bar (the model picks the
    /// first bar's key and the piece stays in it, as scores mostly do; measured in the model
    /// card), false lets the model change key at any bar.
    public var holdsKey = true {
        didSet { version += 1 }
    }
    /// The seed last given to `reseed(_:)` or the initialiser (recorded in provenance).
    public private(set) var seed: UInt64
    /// The random generator. Reading and restoring it replays sampling exactly.
    public var generator: SeededGenerator
    /// Text about the prefix recorded in provenance (style, primer file and bars).
    public var primerDescription: String = ""

    // The piece.
    public private(set) var prefixTokens: [Int]
    var bars: [BarRecord] = []
    var candidate: CandidateRecord?
    /// After every token of the prefix, the accepted bars and the candidate.
    var end: Boundary
    /// Bumped on every change.
    public internal(set) var version = 0

    // Scratch, allocated once.
    var sampler: Sampler
    var mask: [Bool]
    var cachedSnapshot: SessionSnapshot?

    /// A session primed with BOS and, if given, a style token (a name from
    /// `tokenizer.vocabulary.styles`). Throws for an unknown style or invalid settings.
    public init(model: LSTMModel, tokenizer: Tokenizer, checkpointName: String, style: String? = nil,
                settings: SamplingSettings = .default, seed: UInt64) throws {
        let vocabulary = tokenizer.vocabulary
        precondition(model.configuration.vocabularySize == vocabulary.count,
                     "the model's vocabulary size differs from the tokenizer's")
        self.inference = LSTMInference(model: model)
        self.tokenizer = tokenizer
        self.checkpointName = checkpointName
        guard let bar = vocabulary.id(.bar), let bos = vocabulary.id(.bos) else {
            preconditionFailure("the vocabulary lacks BAR or BOS")
        }
        barToken = bar
        var excluded = [bos]
        for special in [Token.eos, Token.pad] { if let id = vocabulary.id(special) { excluded.append(id) } }
        for name in vocabulary.styles { if let id = vocabulary.id(.style(name)) { excluded.append(id) } }
        neverSampled = excluded
        self.seed = seed
        generator = SeededGenerator(seed: seed)
        sampler = Sampler(settings: try settings.validated())
        sampler.tempoIDs = vocabulary.ids(of: .tempo)
        mask = [Bool](repeating: false, count: vocabulary.count)
        var prefix = [bos]
        if let style {
            guard let id = vocabulary.id(.style(style)) else {
                throw GenerationError.unknownStyle(style, available: vocabulary.styles)
            }
            prefix.append(id)
        }
        prefixTokens = prefix
        end = Boundary(state: inference.makeState(), grammar: GrammarState(vocabulary: vocabulary),
                       logits: [Float](repeating: 0, count: vocabulary.count))
        for token in prefix { feed(token, into: &end) }
        if let style { primerDescription = "style=\(style)" }
    }

    // MARK: - Reading

    /// Accepted bars (the candidate not counted).
    public var acceptedBarCount: Int { bars.count }
    /// Whether a candidate bar exists, and whether the model has ended it.
    public var hasCandidate: Bool { candidate != nil }
    public var candidateIsComplete: Bool { candidate?.isComplete ?? false }

    /// The token ids of the piece: prefix, the selected take of every accepted bar, and the
    /// candidate's tokens when asked.
    public func tokens(includeCandidate: Bool) -> [Int] {
        var all = prefixTokens
        for bar in bars { all += bar.tokens }
        if includeCandidate, let candidate { all += candidate.take.tokens }
        return all
    }

    // MARK: - Writing

    /// Sets the key of the bars written from now on (nil: the model's choice). Throws for a
    /// model without KEY tokens.
    public func setKey(_ newKey: MusicalKey?) throws {
        if newKey != nil && !tokenizer.vocabulary.hasKeys { throw GenerationError.noKeyTokens }
        key = newKey
        version += 1
    }

    /// Changes the seed: the generator restarts from it. Applies from the next token.
    public func reseed(_ newSeed: UInt64) {
        seed = newSeed
        generator = SeededGenerator(seed: newSeed)
        version += 1
    }

    /// Samples one token of the candidate bar (starting a candidate if there is none) and
    /// reports it. Returns nil, doing nothing, while the candidate is complete: call
    /// `acceptCandidate()` (or `rewind()`) first. Throws `nonFiniteLogits` for a model whose
    /// outputs are not numbers (the candidate keeps the tokens sampled before).
    @discardableResult
    public func step() throws -> TokenEvent? {
        if candidate?.isComplete == true { return nil }
        if candidate == nil { beginCandidate() }
        let forceEnd = candidate!.take.tokens.count >= maximumTokensPerBar
        let sampled = try sampleNext(at: end, forceEnd: forceEnd)
        version += 1
        let index = bars.count
        if sampled.token == barToken {
            candidate!.isComplete = true
            return TokenEvent(token: sampled.token, probability: sampled.probability, bar: index, completesBar: true)
        }
        candidate!.take.tokens.append(sampled.token)
        candidate!.take.probabilities.append(Float(sampled.probability))
        feed(sampled.token, into: &end)
        return TokenEvent(token: sampled.token, probability: sampled.probability, bar: index, completesBar: false)
    }

    /// Makes the candidate an accepted bar. An unfinished candidate is cut short if BAR may
    /// follow it now. Returns false (and changes nothing) when there is no candidate, or it
    /// stopped in the middle of a note.
    @discardableResult
    public func acceptCandidate() -> Bool {
        guard let c = candidate else { return false }
        if !c.isComplete {
            guard c.take.tokens.count > 1, end.grammar.isAllowed(barToken) else { return false }
        }
        bars.append(BarRecord(start: c.start, takes: [c.take], selectedTake: 0, isPrimer: false))
        candidate = nil
        version += 1
        return true
    }

    /// Steps until the candidate is complete, then accepts it. Returns the new bar's index.
    @discardableResult
    public func generateBar() throws -> Int {
        while try step() != nil {}
        acceptCandidate()
        return bars.count - 1
    }

    /// Drops the last bar: the candidate if there is one, else the last accepted bar. The
    /// model state returns to that bar's start; the generator does not rewind (so generating
    /// again gives a new bar). Returns false when there is nothing to drop.
    @discardableResult
    public func rewind() -> Bool {
        if let c = candidate {
            end = c.start
            candidate = nil
        } else if let last = bars.popLast() {
            end = last.start
        } else {
            return false
        }
        version += 1
        return true
    }

    /// Appends bars given as tokens (each starting with BAR) as accepted primer bars,
    /// feeding them to the model. Throws, changing nothing, if a token is not legal there.
    /// Precondition: no candidate.
    public func appendPrimerBars(_ primerBars: [[Int]], origin: Take.Origin = .primer) throws {
        precondition(candidate == nil, "append primer bars before generating")
        var boundary = end
        var records: [BarRecord] = []
        for (i, tokens) in primerBars.enumerated() {
            guard tokens.first == barToken else {
                throw GenerationError.primerBarNotEncodable(bar: i, reason: "it does not start with BAR")
            }
            let start = boundary
            var probabilities: [Float] = []
            for token in tokens {
                guard let p = legalProbability(of: token, at: boundary) else {
                    throw GenerationError.primerBarNotEncodable(bar: i, reason: "token \(tokenizer.vocabulary.token(token)) is not legal there")
                }
                probabilities.append(Float(p))
                feed(token, into: &boundary)
            }
            records.append(BarRecord(start: start, takes: [Take(tokens: tokens, probabilities: probabilities, origin: origin)],
                                     selectedTake: 0, isPrimer: true))
        }
        bars += records
        end = boundary
        version += 1
    }

    /// Bars played by a person, put in at bar `k`: the bars from `k` on (and the
    /// candidate) are dropped first, then `playedBars` are appended like primer bars.
    /// Throws, leaving the piece cut at `k`, when the played tokens are not legal there.
    public func insertPlayedBars(_ playedBars: [[Int]], atBar k: Int) throws {
        cut(atBar: k)
        try appendPrimerBars(playedBars, origin: .played)
    }

    // MARK: - Internals

    /// Starts a candidate at the end of the piece by feeding its BAR.
    func beginCandidate() {
        let start = end
        let p = legalProbability(of: barToken, at: end) ?? 0
        feed(barToken, into: &end)
        candidate = CandidateRecord(start: start, take: Take(tokens: [barToken], probabilities: [Float(p)],
                                                             origin: .sampled(settings)), isComplete: false)
    }

    /// Feeds one token: the grammar advances, the state and logits move on.
    func feed(_ token: Int, into boundary: inout Boundary) {
        boundary.grammar.advance(token)
        boundary.logits.withUnsafeMutableBufferPointer { logits in
            inference.step(token: token, state: &boundary.state, logits: logits)
        }
    }

    /// Feeds tokens[j] into boundaries[rows[j]] for every j, in one batched model step.
    func feed(_ tokens: [Int], into boundaries: inout [Boundary], rows: [Int]) {
        guard rows.count > 1 else {
            if let r = rows.first { feed(tokens[0], into: &boundaries[r]) }
            return
        }
        let V = inference.configuration.vocabularySize
        var states = rows.map { boundaries[$0].state }
        var logits = [Float](repeating: 0, count: rows.count * V)
        logits.withUnsafeMutableBufferPointer { inference.step(tokens: tokens, states: &states, logits: $0) }
        for (j, r) in rows.enumerated() {
            boundaries[r].grammar.advance(tokens[j])
            boundaries[r].state = states[j]
            boundaries[r].logits.replaceSubrange(0..<V, with: logits[(j * V)..<((j + 1) * V)])
        }
    }

    /// Fills `mask` with the tokens the session may write after `boundary`. With
    /// `keepHeader`, no TS or TEMPO token may open the bar (regeneration keeps the header).
    /// The chosen (or held) key is forced only when sampling (`forceKey`); likelihoods are
    /// the model's own among the grammar's tokens.
    func fillMask(at boundary: Boundary, forceEnd: Bool, keepHeader: Bool = false, forceKey: Bool = true) {
        boundary.grammar.fillMask(&mask)
        for id in neverSampled { mask[id] = false }
        let v = tokenizer.vocabulary
        if keepHeader && boundary.grammar.position < 0 {
            for kind in TokenKind.allCases where kind.isBarHeader {
                for id in v.ids(of: kind) { mask[id] = false }
            }
        } else if forceKey, let keyID = key.flatMap({ v.keyID($0) }) ?? (holdsKey ? boundary.grammar.keyID : nil),
                  boundary.grammar.phase == .afterBar || boundary.grammar.phase == .afterTimeSignature {
            // The bar opens with the chosen (or held) key, after an optional time signature.
            let allowTimeSignature = boundary.grammar.phase == .afterBar
            for i in mask.indices where mask[i] && i != keyID && !(allowTimeSignature && v.kind(of: i) == .timeSignature) {
                mask[i] = false
            }
            mask[keyID] = true
        }
        if forceEnd && mask[barToken] {
            for i in mask.indices { mask[i] = false }
            mask[barToken] = true
        }
    }

    /// Samples the next token after `boundary` (not fed). The one place the session samples,
    /// so the one place a model with non-finite logits is caught.
    func sampleNext(at boundary: Boundary, forceEnd: Bool, keepHeader: Bool = false) throws -> SampledToken {
        fillMask(at: boundary, forceEnd: forceEnd, keepHeader: keepHeader)
        if !mask.contains(true) { mask[barToken] = true }  // a grammar dead end: end the bar
        let sampled = boundary.logits.withUnsafeBufferPointer { logits in
            mask.withUnsafeBufferPointer { allowed in
                sampler.sample(logits: logits, allowed: allowed, using: &generator)
            }
        }
        guard let sampled else { throw GenerationError.nonFiniteLogits(checkpoint: checkpointName) }
        return sampled
    }

    /// The model's probability of `token` after `boundary` among the tokens the session may
    /// write, or nil when the grammar forbids it.
    func legalProbability(of token: Int, at boundary: Boundary) -> Double? {
        legalLogProbability(of: token, at: boundary).map { exp($0) }
    }

    /// Natural log of `legalProbability`.
    func legalLogProbability(of token: Int, at boundary: Boundary) -> Double? {
        guard boundary.grammar.isAllowed(token) else { return nil }
        fillMask(at: boundary, forceEnd: false, forceKey: false)
        mask[token] = true  // a primer may hold tokens the session would not sample itself
        return boundary.logits.withUnsafeBufferPointer { logits in
            mask.withUnsafeBufferPointer { Sampler.logProbability(of: token, logits: logits, allowed: $0) }
        }
    }
}
