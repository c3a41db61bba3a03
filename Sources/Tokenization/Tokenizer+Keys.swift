// The key of each bar for KEY tokens: the file's own key signatures where it has them
// (the last change at or before the bar's start; the first one also covers bars before
// it), else key-finding over the score's bars.
import MIDI

extension Tokenizer {
    /// One key per bar start (ticks, ascending): key-finding, held to the file's key
    /// signature where it has one (the last change at or before the bar, or a little after
    /// it, as sequencers nudge meta events; the first also covers the bars before it).
    public static func keys(of score: PianoScore, atBarStarts starts: [Int]) -> [MusicalKey] {
        KeyFinding.keys(of: score, barStarts: starts, signatures: signatures(of: score, atBarStarts: starts))
    }

    /// Each bar's key signature in sharps; nil for a score without signatures.
    static func signatures(of score: PianoScore, atBarStarts starts: [Int]) -> [Int?]? {
        let changes = score.keySignatures.sorted { $0.ticks < $1.ticks }
        guard let first = changes.first else { return nil }
        var out: [Int?] = []
        out.reserveCapacity(starts.count)
        var current = first.sharps
        var next = 0
        let slack = score.ticksPerQuarter / 8
        for start in starts {
            while next < changes.count && changes[next].ticks <= start + slack { current = changes[next].sharps; next += 1 }
            out.append(current)
        }
        return out
    }

    /// Unconstrained key-finding against the file's key signatures, per bar: bars compared,
    /// bars in the same key as the signature's major or relative minor chosen by
    /// key-finding within it (what KEY tokens carry), and bars with the same signature.
    /// Nil for a file without signatures.
    public static func keyFindingAgreement(_ score: PianoScore) -> (bars: Int, sameKey: Int, sameSignature: Int)? {
        guard !score.keySignatures.isEmpty, !score.notes.isEmpty else { return nil }
        let lastOnset = score.notes.reduce(0) { max($0, $1.onsetTicks) }
        let starts = score.barStartTicks().filter { $0 <= lastOnset }
        let given = keys(of: score, atBarStarts: starts)
        let found = KeyFinding.keys(of: score, barStarts: starts)
        var sameKey = 0, sameSignature = 0
        for (g, f) in zip(given, found) {
            if g == f { sameKey += 1 }
            if g.sharps == f.sharps || (abs(g.sharps) == 6 && g.sharps == -f.sharps) { sameSignature += 1 }
        }
        return (starts.count, sameKey, sameSignature)
    }
}
