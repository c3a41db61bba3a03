// Ids -> score. Runs the grammar over the ids (so an ungrammatical sequence throws
// with its index) and rebuilds notes, bars, tempo and time signatures at 480 ticks per
// quarter. Any grammar-legal prefix decodes: a trailing half-written note is dropped.
// A sequence may omit the leading BOS (it is then assumed).
import MIDI

extension Tokenizer {
    /// Ticks per quarter of decoded scores.
    public static let decodedTicksPerQuarter = 480

    public func decode(_ ids: [Int]) throws -> PianoScore {
        let c = configuration, v = vocabulary
        let tpq = Self.decodedTicksPerQuarter
        let ticksPerStep = Double(tpq) / Double(c.stepsPerQuarter)
        func ticks(_ step: Int) -> Int { Int((Double(step) * ticksPerStep).rounded()) }

        var score = PianoScore(ticksPerQuarter: tpq)
        var grammar = GrammarState(vocabulary: v)
        if let first = ids.first, first != v.bosID { grammar.advance(v.bosID) }
        var barStart = 0       // steps
        var barSteps = 0
        var position = 0
        var velocity = 64
        var pitch = 60
        var signature = (4, 4)
        var writtenSignature: (Int, Int)? = nil
        var currentKey: MusicalKey? = nil

        for (index, id) in ids.enumerated() {
            try grammar.tryAdvance(id, index: index)
            switch v.token(id) {
            case .bar:
                barStart += barSteps
                barSteps = grammar.barSteps
                position = 0
            case .timeSignature(let n, let d):
                signature = (n, d)
                barSteps = grammar.barSteps
            case .tempo(let bpm):
                let at = ticks(barStart + position)
                let change = TempoChange(ticks: at, microsecondsPerQuarter: Self.microsecondsPerQuarter(bpm: bpm))
                if score.tempoChanges.last?.ticks == at { score.tempoChanges[score.tempoChanges.count - 1] = change }
                else { score.tempoChanges.append(change) }
            case .position(let k):
                position = k
            case .velocity(let value):
                velocity = value
            case .pitch(let key):
                pitch = key
            case .duration(let steps):
                let on = barStart + position
                score.notes.append(ScoreNote(pitch: pitch, velocity: velocity, onsetTicks: ticks(on),
                                             durationTicks: max(1, ticks(on + steps) - ticks(on))))
            case .key(let key):
                // A key signature at the bar line, only when the key changes.
                if currentKey != key {
                    currentKey = key
                    let change = KeySignatureChange(ticks: ticks(barStart), sharps: key.sharps, isMinor: key.isMinor)
                    if score.keySignatures.last?.ticks == change.ticks { score.keySignatures[score.keySignatures.count - 1] = change }
                    else { score.keySignatures.append(change) }
                }
            case .bos, .eos, .pad, .style:
                break
            }
            // A time signature takes effect at its bar's start; record it when it differs
            // (and always the first, 4/4 too, so notation programs draw the meter).
            if case .timeSignature = v.token(id), writtenSignature.map({ $0 != signature }) ?? true {
                let change = TimeSignatureChange(ticks: ticks(barStart), numerator: signature.0, denominator: signature.1)
                if score.timeSignatures.last?.ticks == change.ticks { score.timeSignatures[score.timeSignatures.count - 1] = change }
                else { score.timeSignatures.append(change) }
                writtenSignature = signature
            }
        }
        if score.timeSignatures.first.map({ $0.ticks > 0 }) ?? !score.notes.isEmpty {
            score.timeSignatures.insert(TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4), at: 0)
        }
        score.sortNotes()
        return score
    }

    /// The style tag of a sequence, if it has one.
    public func style(of ids: [Int]) -> String? {
        for id in ids.prefix(2) where id >= vocabulary.styleStart && id < vocabulary.timeSignatureStart {
            if case .style(let name) = vocabulary.token(id) { return name }
        }
        return nil
    }
}
