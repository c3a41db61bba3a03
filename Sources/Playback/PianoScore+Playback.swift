// A PianoScore as bars of PlaybackNotes: the tempo map applied, each note in the bar
// its onset falls in (bar indices from 0, bar starts from PianoScore.barStartTicks).
import MIDI

/// One bar ready for `Player.schedule(bar:notes:)`.
public struct PlaybackBar: Hashable, Sendable {
    public var index: Int
    public var startSeconds: Double
    public var notes: [PlaybackNote]

    public init(index: Int, startSeconds: Double, notes: [PlaybackNote]) {
        self.index = index
        self.startSeconds = startSeconds
        self.notes = notes
    }
}

extension PianoScore {
    /// Every bar of the score (empty bars included), with its notes in seconds.
    public func playbackBars() -> [PlaybackBar] {
        let starts = barStartTicks()
        let map = tempoMap
        var bars = starts.enumerated().map { PlaybackBar(index: $0.offset, startSeconds: map.seconds(atTicks: $0.element), notes: []) }
        for note in notes where note.durationTicks > 0 {
            // The last bar start at or before the onset.
            var lo = 0, hi = starts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if starts[mid] <= note.onsetTicks { lo = mid } else { hi = mid - 1 }
            }
            let onset = map.seconds(atTicks: note.onsetTicks)
            bars[lo].notes.append(PlaybackNote(pitch: note.pitch, velocity: note.velocity, onsetSeconds: onset,
                                               durationSeconds: map.seconds(atTicks: note.endTicks) - onset))
        }
        return bars
    }
}
