// Translations from the composition session's snapshot to what the TUI and the player
// take: the roll (ticks to beats), a bar's notes for playback, and the playhead's beat
// position from the player's seconds. Pure functions over values.

import Generation
import MIDI
import Playback

public enum SessionBridge {
    public static func roll(_ snapshot: SessionSnapshot) -> RollSnapshot {
        let tpq = Double(max(1, snapshot.ticksPerQuarter))
        return RollSnapshot(bars: snapshot.bars.map { bar in
            RollBar(startBeats: Double(bar.startTicks) / tpq, lengthBeats: Double(max(1, bar.lengthTicks)) / tpq,
                    notes: bar.notes.map { n in
                        RollNote(pitch: n.pitch, onsetBeats: Double(n.onsetTicks) / tpq,
                                 durationBeats: Double(max(1, n.durationTicks)) / tpq, velocity: n.velocity,
                                 probability: Double(n.probability))
                    },
                    isCandidate: bar.isCandidate, takeIndex: bar.selectedTake, takeCount: bar.takeCount,
                    isPlayed: bar.isPlayed)
        })
    }

    /// The snapshot played `tempoScale` times as fast: every time in seconds divided by it
    /// (ticks, and so the roll, unchanged). The app keeps its snapshot in played time.
    public static func timeScaled(_ snapshot: SessionSnapshot, tempoScale: Double) -> SessionSnapshot {
        guard tempoScale != 1, tempoScale > 0 else { return snapshot }
        var out = snapshot
        for b in out.bars.indices {
            out.bars[b].startSeconds /= tempoScale
            for n in out.bars[b].notes.indices {
                out.bars[b].notes[n].onsetSeconds /= tempoScale
                out.bars[b].notes[n].durationSeconds /= tempoScale
            }
        }
        return out
    }

    /// A score played `tempoScale` times as fast (its tempo events scaled), for saving.
    public static func timeScaled(_ score: PianoScore, tempoScale: Double) -> PianoScore {
        guard tempoScale != 1, tempoScale > 0 else { return score }
        var out = score
        out.tempoChanges = score.tempoChanges.map {
            TempoChange(ticks: $0.ticks, microsecondsPerQuarter: max(1, Int((Double($0.microsecondsPerQuarter) / tempoScale).rounded())))
        }
        if out.tempoChanges.first.map({ $0.ticks > 0 }) ?? true {  // the implicit 120 BPM at the start
            out.tempoChanges.insert(TempoChange(ticks: 0, microsecondsPerQuarter: Int((500_000 / tempoScale).rounded())), at: 0)
        }
        return out
    }

    public static func playbackNotes(_ bar: BarSnapshot) -> [PlaybackNote] {
        bar.notes.map {
            PlaybackNote(pitch: $0.pitch, velocity: max(1, min(127, $0.velocity)), onsetSeconds: $0.onsetSeconds,
                         durationSeconds: max(0.01, $0.durationSeconds))
        }
    }

    /// Seconds a bar lasts: up to the next bar's start; the last bar at the pace of the one
    /// before it (or 120 beats per minute when it is the only one).
    public static func durationSeconds(ofBar index: Int, in snapshot: SessionSnapshot) -> Double {
        let bars = snapshot.bars
        if index + 1 < bars.count { return max(1e-3, bars[index + 1].startSeconds - bars[index].startSeconds) }
        let tpq = Double(max(1, snapshot.ticksPerQuarter))
        var secondsPerTick = 0.5 / tpq
        if index > 0 {
            let previous = bars[index - 1]
            secondsPerTick = (bars[index].startSeconds - previous.startSeconds) / Double(max(1, previous.lengthTicks))
        }
        return max(1e-3, Double(bars[index].lengthTicks) * secondsPerTick)
    }

    /// The bar sounding at `seconds` (the last bar once past the end; nil with no bars).
    public static func barIndex(atSeconds seconds: Double, in snapshot: SessionSnapshot) -> Int? {
        guard !snapshot.bars.isEmpty else { return nil }
        var found = 0
        for (i, bar) in snapshot.bars.enumerated() where bar.startSeconds <= seconds + 1e-9 { found = i }
        return found
    }

    /// The playhead in beats, interpolated within its bar.
    public static func beats(atSeconds seconds: Double, in snapshot: SessionSnapshot) -> Double? {
        guard let i = barIndex(atSeconds: seconds, in: snapshot) else { return nil }
        let bar = snapshot.bars[i]
        let tpq = Double(max(1, snapshot.ticksPerQuarter))
        let fraction = (seconds - bar.startSeconds) / durationSeconds(ofBar: i, in: snapshot)
        return (Double(bar.startTicks) + max(0, fraction) * Double(bar.lengthTicks)) / tpq
    }
}
