// The piano score: what a MIDI file means to a pianist. Notes with onsets and
// durations in ticks (sustain pedal already applied by whoever builds the score),
// tempo and time-signature changes, key signatures, and bar lines derived from them.
// It knows nothing of tokens or models, and does no I/O.

/// One sounding note. Times are in ticks of the score's `ticksPerQuarter`.
public struct ScoreNote: Hashable, Sendable {
    public var pitch: Int          // MIDI key number, 0...127 (piano: 21...108)
    public var velocity: Int       // 1...127
    public var onsetTicks: Int
    public var durationTicks: Int  // > 0
    public var endTicks: Int { onsetTicks + durationTicks }

    public init(pitch: Int, velocity: Int, onsetTicks: Int, durationTicks: Int) {
        self.pitch = pitch
        self.velocity = velocity
        self.onsetTicks = onsetTicks
        self.durationTicks = durationTicks
    }
}

/// A tempo change: from `ticks` on, a quarter note lasts `microsecondsPerQuarter`.
public struct TempoChange: Hashable, Sendable {
    public var ticks: Int
    public var microsecondsPerQuarter: Int
    public var beatsPerMinute: Double { 60_000_000.0 / Double(microsecondsPerQuarter) }

    public init(ticks: Int, microsecondsPerQuarter: Int) {
        self.ticks = ticks
        self.microsecondsPerQuarter = microsecondsPerQuarter
    }
    public init(ticks: Int, beatsPerMinute: Double) {
        self.init(ticks: ticks, microsecondsPerQuarter: Int((60_000_000.0 / beatsPerMinute).rounded()))
    }
}

/// A time signature from `ticks` on; `denominator` is the note value (4 = quarter).
public struct TimeSignatureChange: Hashable, Sendable {
    public var ticks: Int
    public var numerator: Int
    public var denominator: Int

    public init(ticks: Int, numerator: Int, denominator: Int) {
        self.ticks = ticks
        self.numerator = numerator
        self.denominator = denominator
    }
    /// Length of one bar in ticks at the given resolution.
    public func barTicks(ticksPerQuarter: Int) -> Int {
        max(1, numerator * ticksPerQuarter * 4 / max(1, denominator))
    }
}

/// A key signature from `ticks` on: `sharps` in -7...7 (negative = flats).
public struct KeySignatureChange: Hashable, Sendable {
    public var ticks: Int
    public var sharps: Int
    public var isMinor: Bool

    public init(ticks: Int, sharps: Int, isMinor: Bool) {
        self.ticks = ticks
        self.sharps = sharps
        self.isMinor = isMinor
    }
}

public struct PianoScore: Hashable, Sendable {
    public var ticksPerQuarter: Int
    /// Sorted by onset, then pitch.
    public var notes: [ScoreNote]
    /// Sorted by ticks; an empty list means 120 BPM throughout.
    public var tempoChanges: [TempoChange]
    /// Sorted by ticks; an empty list means 4/4 throughout.
    public var timeSignatures: [TimeSignatureChange]
    public var keySignatures: [KeySignatureChange]

    public init(ticksPerQuarter: Int = 480, notes: [ScoreNote] = [], tempoChanges: [TempoChange] = [],
                timeSignatures: [TimeSignatureChange] = [], keySignatures: [KeySignatureChange] = []) {
        self.ticksPerQuarter = ticksPerQuarter
        self.notes = notes
        self.tempoChanges = tempoChanges
        self.timeSignatures = timeSignatures
        self.keySignatures = keySignatures
    }

    /// The tick at which the last note ends (0 for an empty score).
    public var endTicks: Int { notes.reduce(0) { max($0, $1.endTicks) } }

    /// Sorts notes into the canonical order (onset, then pitch).
    public mutating func sortNotes() {
        notes.sort { ($0.onsetTicks, $0.pitch, $0.durationTicks) < ($1.onsetTicks, $1.pitch, $1.durationTicks) }
    }

    /// The time signature in force at `ticks` (4/4 when none is given).
    public func timeSignature(atTicks ticks: Int) -> TimeSignatureChange {
        var current = TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4)
        for change in timeSignatures where change.ticks <= ticks { current = change }
        return current
    }

    /// Start ticks of every bar that covers `0 ..< max(endTicks, untilTicks)`.
    /// A time-signature change that falls inside a bar starts a new bar there,
    /// the way notation programs and sequencers treat a mid-bar change.
    public func barStartTicks(untilTicks: Int? = nil) -> [Int] {
        let end = max(endTicks, untilTicks ?? 0)
        let changes = timeSignatures.sorted { $0.ticks < $1.ticks }
        var starts: [Int] = []
        var tick = 0
        var signature = TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4)
        var nextChange = 0
        while nextChange < changes.count && changes[nextChange].ticks <= 0 {
            signature = changes[nextChange]; nextChange += 1
        }
        repeat {
            starts.append(tick)
            var next = tick + signature.barTicks(ticksPerQuarter: ticksPerQuarter)
            if nextChange < changes.count && changes[nextChange].ticks < next {
                next = max(tick + 1, changes[nextChange].ticks)
            }
            while nextChange < changes.count && changes[nextChange].ticks <= next {
                signature = changes[nextChange]; nextChange += 1
            }
            tick = next
        } while tick < end
        return starts
    }

    /// Converts ticks to seconds through the tempo map.
    public var tempoMap: TempoMap {
        TempoMap(ticksPerQuarter: ticksPerQuarter, changes: tempoChanges)
    }
}
