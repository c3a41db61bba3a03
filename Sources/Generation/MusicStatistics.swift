// Music statistics for the model card, computed the same way for generated pieces and
// for real files: notes per bar, polyphony, pitch range, pitch-class histogram, share of
// notes on the beat, exact bar repetition. Pure functions over token sequences (decoded
// with the tokenizer); the copying measure is in CopyDetector.swift.
import Foundation
import MIDI
import Tokenization

public struct MusicStatistics: Hashable, Sendable, Codable {
    public var pieces = 0
    public var decodedPieces = 0
    public var bars = 0
    public var notes = 0
    /// Mean over onset times of the notes sounding then (the struck ones included).
    public var meanPolyphony = 0.0
    /// Mean over pieces of highest minus lowest pitch, semitones.
    public var meanPitchRange = 0.0
    public var meanPitch = 0.0
    /// Notes per pitch class C, C#, ..., B (fractions summing to 1).
    public var pitchClassHistogram = [Double](repeating: 0, count: 12)
    /// Share of notes whose onset is the bar's first step.
    public var downbeatShare = 0.0
    /// Share of notes whose onset is on a quarter-note beat of the bar.
    public var onBeatShare = 0.0
    /// Share of non-empty bars identical (tokens after the header) to an earlier bar of the piece.
    public var repeatedBarShare = 0.0

    public var decodeRate: Double { pieces > 0 ? Double(decodedPieces) / Double(pieces) : 0 }
    public var notesPerBar: Double { bars > 0 ? Double(notes) / Double(bars) : 0 }

    public init() {}

    /// Statistics of token sequences (BOS, optional STYLE, bars, optional EOS).
    public static func measure(_ sequences: [[Int]], tokenizer: Tokenizer) -> MusicStatistics {
        var s = MusicStatistics()
        let v = tokenizer.vocabulary
        let stepsPerQuarter = v.configuration.stepsPerQuarter
        var polyphonySum = 0.0, polyphonyCount = 0
        var rangeSum = 0.0, pitchSum = 0.0
        var pitchClasses = [Double](repeating: 0, count: 12)
        var downbeats = 0, onBeats = 0, tokenNotes = 0
        var nonEmptyBars = 0, repeatedBars = 0
        for ids in sequences {
            s.pieces += 1
            guard let score = try? tokenizer.decode(ids) else { continue }
            s.decodedPieces += 1
            let starts = v.barStartIndices(ids)
            s.bars += starts.count
            s.notes += score.notes.count
            // Polyphony at each distinct onset.
            var i = 0
            let notes = score.notes
            while i < notes.count {
                let onset = notes[i].onsetTicks
                var sounding = 0
                for n in notes where n.onsetTicks <= onset && n.endTicks > onset { sounding += 1 }
                polyphonySum += Double(sounding)
                polyphonyCount += 1
                while i < notes.count && notes[i].onsetTicks == onset { i += 1 }
            }
            if let low = notes.map(\.pitch).min(), let high = notes.map(\.pitch).max() { rangeSum += Double(high - low) }
            for n in notes { pitchClasses[((n.pitch % 12) + 12) % 12] += 1; pitchSum += Double(n.pitch) }
            // Beat positions and repetition from the tokens.
            var seen = Set<[Int]>()
            for (b, start) in starts.enumerated() {
                let end = b + 1 < starts.count ? starts[b + 1] : ids.count
                var position = 0
                var body: [Int] = []
                for id in ids[(start + 1)..<end] {
                    if id == v.eosID || id == v.padID { break }
                    if case .position(let k) = v.token(id) { position = k }
                    if case .duration = v.token(id) {
                        tokenNotes += 1
                        if position == 0 { downbeats += 1 }
                        if position % stepsPerQuarter == 0 { onBeats += 1 }
                    }
                    // The body: from the first token after the header (TS, TEMPO, KEY).
                    if v.kind(of: id)?.isBarHeader == false || !body.isEmpty { body.append(id) }
                }
                if !body.isEmpty {
                    nonEmptyBars += 1
                    if !seen.insert(body).inserted { repeatedBars += 1 }
                }
            }
        }
        s.meanPolyphony = polyphonyCount > 0 ? polyphonySum / Double(polyphonyCount) : 0
        s.meanPitchRange = s.decodedPieces > 0 ? rangeSum / Double(s.decodedPieces) : 0
        s.meanPitch = s.notes > 0 ? pitchSum / Double(s.notes) : 0
        let totalPitches = pitchClasses.reduce(0, +)
        s.pitchClassHistogram = pitchClasses.map { totalPitches > 0 ? $0 / totalPitches : 0 }
        s.downbeatShare = tokenNotes > 0 ? Double(downbeats) / Double(tokenNotes) : 0
        s.onBeatShare = tokenNotes > 0 ? Double(onBeats) / Double(tokenNotes) : 0
        s.repeatedBarShare = nonEmptyBars > 0 ? Double(repeatedBars) / Double(nonEmptyBars) : 0
        return s
    }

    /// KL(p || q) in nats between two histograms, each smoothed by adding 1e-4 per bin.
    public static func klDivergence(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "histograms differ in size")
        let eps = 1e-4
        let ps = p.map { $0 + eps }, qs = q.map { $0 + eps }
        let pt = ps.reduce(0, +), qt = qs.reduce(0, +)
        var kl = 0.0
        for i in p.indices { let a = ps[i] / pt, b = qs[i] / qt; kl += a * log(a / b) }
        return kl
    }
}
