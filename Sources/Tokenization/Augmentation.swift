// Data augmentation for training: transposition and tempo scaling, on scores and on
// token streams (the stream versions need no re-encoding). A transposition that would
// push any note out of the piano range is skipped (nil), never folded back.
import MIDI

extension PianoScore {
    /// Every note moved by `semitones`; nil if a note would leave `range`.
    public func transposed(by semitones: Int, range: ClosedRange<Int> = 21...108) -> PianoScore? {
        var out = self
        for i in out.notes.indices {
            let p = out.notes[i].pitch + semitones
            guard range.contains(p) else { return nil }
            out.notes[i].pitch = p
        }
        if semitones != 0 {
            // Key signatures follow the circle of fifths: +1 semitone = +7 sharps (mod 12).
            for i in out.keySignatures.indices {
                var sharps = (out.keySignatures[i].sharps + 7 * semitones) % 12
                if sharps > 6 { sharps -= 12 }
                if sharps < -6 { sharps += 12 }
                out.keySignatures[i].sharps = sharps
            }
        }
        return out
    }

    /// The same notes played `factor` times faster (factor 1.1 = 10% faster).
    public func tempoScaled(by factor: Double) -> PianoScore {
        precondition(factor > 0 && factor.isFinite, "tempo factor must be positive")
        var out = self
        if out.tempoChanges.isEmpty || out.tempoChanges[0].ticks > 0 {
            out.tempoChanges.insert(TempoChange(ticks: 0, microsecondsPerQuarter: 500_000), at: 0)
        }
        for i in out.tempoChanges.indices {
            out.tempoChanges[i].microsecondsPerQuarter =
                max(1, Int((Double(out.tempoChanges[i].microsecondsPerQuarter) / factor).rounded()))
        }
        return out
    }
}

extension Tokenizer {
    /// PITCH tokens moved by `semitones` and KEY tonics turned with them; nil if a pitch
    /// would leave the vocabulary's range.
    public func transposed(_ ids: [Int], by semitones: Int) -> [Int]? {
        guard var out = Self.shifted(ids, inIDRange: vocabulary.pitchStart..<vocabulary.durationStart, by: semitones) else { return nil }
        let v = vocabulary
        if v.hasKeys && semitones % 12 != 0 {
            for i in out.indices where out[i] >= v.keyStart {
                out[i] = v.keyStart + MusicalKey.transposedIndex(out[i] - v.keyStart, by: semitones)
            }
        }
        return out
    }

    /// TEMPO tokens moved by `bins` (positive = faster; with the standard log-spaced bins
    /// one bin is about 8.7%); nil if one would leave the range.
    public func tempoShifted(_ ids: [Int], byBins bins: Int) -> [Int]? {
        Self.shifted(ids, inIDRange: vocabulary.tempoStart..<vocabulary.positionStart, by: bins)
    }

    /// Moves every id inside `range` by `offset`; nil if one would leave the range.
    private static func shifted(_ ids: [Int], inIDRange range: Range<Int>, by offset: Int) -> [Int]? {
        var out = ids
        for i in out.indices where range.contains(out[i]) {
            let moved = out[i] + offset
            guard range.contains(moved) else { return nil }
            out[i] = moved
        }
        return out
    }
}
