// Ids -> music: the one decoder. Runs the grammar over the ids (so an ungrammatical
// sequence throws with its index) and places everything on a timeline at 480 ticks per
// quarter: each bar (with the index of its BAR token, its start and length), each note
// (with the index of its PITCH token, so a UI can colour it by its probability), the tempo,
// time and key signatures. `decode` makes a PianoScore of it (MIDI export), the session's
// snapshot draws it. Any grammar-legal prefix decodes: a trailing half-written note is
// dropped. A sequence may omit the leading BOS (it is then assumed).
import MIDI

/// Decoded tokens in time.
public struct DecodedTimeline: Sendable {
    public struct Note: Equatable, Sendable {
        public var pitch: Int
        public var velocity: Int
        public var onsetTicks: Int
        public var durationTicks: Int
        /// Index in the token sequence of the note's PITCH token.
        public var pitchTokenIndex: Int
    }

    public struct Bar: Equatable, Sendable {
        /// Index in the token sequence of the bar's BAR token.
        public var tokenIndex: Int
        public var startTicks: Int
        public var lengthTicks: Int
        /// In token order.
        public var notes: [Note] = []
    }

    public static let ticksPerQuarter = 480

    public var bars: [Bar] = []
    public var tempoChanges: [TempoChange] = []
    public var timeSignatures: [TimeSignatureChange] = []
    public var keySignatures: [KeySignatureChange] = []

    public var tempoMap: TempoMap { TempoMap(ticksPerQuarter: Self.ticksPerQuarter, changes: tempoChanges) }

    /// The music as a score: every note (sorted), the tempo, the time and key signatures (a
    /// 4/4 at tick 0 when the first signature comes later), and its length: the end of its
    /// last bar, even when that bar (or the bars before it) holds no note.
    public var score: PianoScore {
        var score = PianoScore(ticksPerQuarter: Self.ticksPerQuarter)
        score.notes = bars.flatMap { $0.notes.map {
            ScoreNote(pitch: $0.pitch, velocity: $0.velocity, onsetTicks: $0.onsetTicks, durationTicks: $0.durationTicks)
        } }
        score.tempoChanges = tempoChanges
        score.timeSignatures = timeSignatures
        score.keySignatures = keySignatures
        if score.timeSignatures.first.map({ $0.ticks > 0 }) ?? !score.notes.isEmpty {
            score.timeSignatures.insert(TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4), at: 0)
        }
        score.lengthTicks = bars.last.map { $0.startTicks + $0.lengthTicks } ?? 0  // bars of rest at the end too
        score.sortNotes()
        return score
    }

    /// A change at `ticks` replaces one already there (the last word at a moment wins).
    mutating func set<T>(_ change: T, at ticks: Int, in list: WritableKeyPath<DecodedTimeline, [T]>, ticksOf: (T) -> Int) {
        if let last = self[keyPath: list].last, ticksOf(last) == ticks { self[keyPath: list][self[keyPath: list].count - 1] = change }
        else { self[keyPath: list].append(change) }
    }
}

extension Tokenizer {
    /// Ticks per quarter of decoded scores.
    public static let decodedTicksPerQuarter = DecodedTimeline.ticksPerQuarter

    public func decode(_ ids: [Int]) throws -> PianoScore { try timeline(ids).score }

    /// The timeline of `ids`; throws `TokenizationError` at the first id the grammar does not allow.
    public func timeline(_ ids: [Int]) throws -> DecodedTimeline { try walk(ids, stopAtIllegal: false) }

    /// The timeline of the longest grammar-legal prefix of `ids` (for drawing what is being written).
    public func timelineOfLegalPrefix(_ ids: [Int]) -> DecodedTimeline { (try? walk(ids, stopAtIllegal: true)) ?? DecodedTimeline() }

    private func walk(_ ids: [Int], stopAtIllegal: Bool) throws -> DecodedTimeline {
        let c = configuration, v = vocabulary
        let ticksPerStep = Double(DecodedTimeline.ticksPerQuarter) / Double(c.stepsPerQuarter)
        func ticks(_ step: Int) -> Int { Int((Double(step) * ticksPerStep).rounded()) }

        var out = DecodedTimeline()
        var grammar = GrammarState(vocabulary: v)
        if let first = ids.first, first != v.bosID { grammar.advance(v.bosID) }
        var barStart = 0       // steps
        var barSteps = 0
        var position = 0
        var velocity = 64
        var pitch: (key: Int, index: Int) = (60, -1)
        var signature = (4, 4)
        var writtenSignature: (Int, Int)? = nil
        var currentKey: MusicalKey? = nil

        for (index, id) in ids.enumerated() {
            do { try grammar.tryAdvance(id, index: index) } catch {
                if stopAtIllegal { break }
                throw error
            }
            switch v.token(id) {
            case .bar:
                barStart += barSteps
                barSteps = grammar.barSteps
                position = 0
                out.bars.append(DecodedTimeline.Bar(tokenIndex: index, startTicks: ticks(barStart),
                                                    lengthTicks: ticks(barStart + barSteps) - ticks(barStart)))
            case .timeSignature(let n, let d):
                signature = (n, d)
                barSteps = grammar.barSteps
                if !out.bars.isEmpty { out.bars[out.bars.count - 1].lengthTicks = ticks(barStart + barSteps) - ticks(barStart) }
                // A time signature takes effect at its bar's start; recorded when it differs
                // (and always the first, 4/4 too, so notation programs draw the meter).
                if writtenSignature.map({ $0 != signature }) ?? true {
                    out.set(TimeSignatureChange(ticks: ticks(barStart), numerator: n, denominator: d), at: ticks(barStart),
                            in: \.timeSignatures, ticksOf: \.ticks)
                    writtenSignature = signature
                }
            case .tempo(let bpm):
                let at = ticks(barStart + position)
                out.set(TempoChange(ticks: at, microsecondsPerQuarter: Self.microsecondsPerQuarter(bpm: bpm)), at: at,
                        in: \.tempoChanges, ticksOf: \.ticks)
            case .position(let k):
                position = k
            case .velocity(let value):
                velocity = value
            case .pitch(let key):
                pitch = (key, index)
            case .duration(let steps):
                guard !out.bars.isEmpty else { break }  // the grammar puts notes in bars
                let on = barStart + position
                out.bars[out.bars.count - 1].notes.append(DecodedTimeline.Note(
                    pitch: pitch.key, velocity: velocity, onsetTicks: ticks(on),
                    durationTicks: max(1, ticks(on + steps) - ticks(on)), pitchTokenIndex: pitch.index))
            case .key(let key):
                // A key signature at the bar line, only when the key changes.
                if currentKey != key {
                    currentKey = key
                    out.set(KeySignatureChange(ticks: ticks(barStart), sharps: key.sharps, isMinor: key.isMinor), at: ticks(barStart),
                            in: \.keySignatures, ticksOf: \.ticks)
                }
            case .bos, .eos, .pad, .style:
                break
            }
        }
        return out
    }

    /// The style tag of a sequence, if it has one.
    public func style(of ids: [Int]) -> String? {
        for id in ids.prefix(2) where vocabulary.kind(of: id) == .style {
            if case .style(let name) = vocabulary.token(id) { return name }
        }
        return nil
    }
}
