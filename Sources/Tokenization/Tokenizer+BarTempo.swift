// One tempo per bar. piano-midi.de's scores carry their rubato as dense tempo maps (a
// median of 692 tempo events per piece); followed event by event, they cost 0.23 TEMPO
// tokens per note at about 2.5 nats each, a tenth of the model's loss per note spent on
// timing nuances inside a bar. With `tempoPerBar` the encoder first re-times the score:
// each bar plays at its own mean tempo rounded to a TEMPO bin, and the bin changes only
// when a bar's mean leaves the current bin by more than `hysteresisBins` of a bin width
// (so a tempo hovering between two bins does not flip every bar). The ticks are
// untouched, so bars, beats and durations in the score's own units stay exact; only the
// seconds change, and a ritardando becomes a staircase of bars.
import Foundation
import MIDI

extension Tokenizer {
    /// How far (in bin widths, on the log scale) a bar's mean tempo may stray from the
    /// current bin before the tempo changes.
    static let hysteresisBins = 0.75

    /// The score that the tokens spell: tempo normalised (constant-tempo files) and, with
    /// `tempoPerBar`, re-timed to one tempo per bar. The round trip compares against it.
    public func referenceScore(_ score: PianoScore) -> PianoScore {
        let normalized = normalizedTempo(score)
        return configuration.tempoPerBar ? barTempoScore(normalized) : normalized
    }

    /// `score` with its tempo map replaced by one binned tempo per bar (see the file comment).
    func barTempoScore(_ score: PianoScore) -> PianoScore {
        let bpms = configuration.temposBPM
        guard !score.notes.isEmpty, bpms.count > 1 else { return score }
        let map = score.tempoMap
        let lastOnset = score.notes.reduce(0) { max($0, $1.onsetTicks) }
        let bars = score.bars().filter { $0.startTicks <= lastOnset }
        var changes: [TempoChange] = []
        var current: Int? = nil
        for (i, bar) in bars.enumerated() {
            let start = bar.startTicks
            let end = i + 1 < bars.count ? bars[i + 1].startTicks
                : start + bar.signature.barTicks(ticksPerQuarter: score.ticksPerQuarter)
            let seconds = map.seconds(atTicks: end) - map.seconds(atTicks: start)
            guard end > start, seconds > 0 else { continue }
            let bpm = 60 * Double(end - start) / Double(score.ticksPerQuarter) / seconds
            if let bin = current, abs(log(bpm / Double(bpms[bin]))) <= Self.hysteresisBins * binWidth(at: bin) {
                continue
            }
            let bin = Self.nearestRatioIndex(bpms, bpm)
            if bin != current {
                changes.append(TempoChange(ticks: start, microsecondsPerQuarter: Self.microsecondsPerQuarter(bpm: bpms[bin])))
                current = bin
            }
        }
        var out = score
        out.tempoChanges = changes.isEmpty ? score.tempoChanges : changes
        return out
    }

    /// The log-ratio between a bin and its neighbour (the wider side at the ends).
    private func binWidth(at bin: Int) -> Double {
        let bpms = configuration.temposBPM
        let upper = bin + 1 < bpms.count ? log(Double(bpms[bin + 1]) / Double(bpms[bin])) : 0
        let lower = bin > 0 ? log(Double(bpms[bin]) / Double(bpms[bin - 1])) : 0
        return max(upper, lower)
    }
}
