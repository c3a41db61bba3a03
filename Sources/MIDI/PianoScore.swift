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
    /// Where the piece ends when that is after its last note, so that bars of rest at its end
    /// are kept: a decoded piece ends where its last bar does. 0 ends it with its last note.
    public var lengthTicks = 0

    public init(ticksPerQuarter: Int = 480, notes: [ScoreNote] = [], tempoChanges: [TempoChange] = [],
                timeSignatures: [TimeSignatureChange] = [], keySignatures: [KeySignatureChange] = []) {
        self.ticksPerQuarter = ticksPerQuarter
        self.notes = notes
        self.tempoChanges = tempoChanges
        self.timeSignatures = timeSignatures
        self.keySignatures = keySignatures
    }

    /// The tick at which the piece ends: where its last note ends, or `lengthTicks` if later
    /// (0 for an empty score).
    public var endTicks: Int { notes.reduce(lengthTicks) { max($0, $1.endTicks) } }

    /// Sorts notes into the canonical order (onset, then pitch).
    public mutating func sortNotes() {
        notes.sort { ($0.onsetTicks, $0.pitch, $0.durationTicks) < ($1.onsetTicks, $1.pitch, $1.durationTicks) }
    }

    /// The time signature in force at `ticks` (4/4 when none is given): a binary search,
    /// as `timeSignatures` is sorted.
    public func timeSignature(atTicks ticks: Int) -> TimeSignatureChange {
        var lo = 0, hi = timeSignatures.count  // first change after `ticks`
        while lo < hi {
            let mid = (lo + hi) / 2
            if timeSignatures[mid].ticks <= ticks { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 ? timeSignatures[lo - 1] : TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4)
    }

    /// One bar line: where the bar starts and the time signature it is in.
    public struct Bar: Hashable, Sendable {
        public var startTicks: Int
        public var signature: TimeSignatureChange
    }

    /// Every bar that covers `0 ..< max(endTicks, untilTicks)` (at least one).
    /// A time-signature change that falls inside a bar starts a new bar there,
    /// the way notation programs and sequencers treat a mid-bar change.
    /// Linear in the bars and the changes; mind PieceLimits.maximumBars before calling
    /// it on a score no file reader has checked.
    public func bars(untilTicks: Int? = nil) -> [Bar] {
        var bars: [Bar] = []
        for run in barRuns(untilTicks: max(endTicks, untilTicks ?? 0)) {
            for k in 0..<run.count { bars.append(Bar(startTicks: run.startTicks + k * run.barTicks, signature: run.signature)) }
        }
        return bars
    }

    /// Start ticks of `bars(untilTicks:)`.
    public func barStartTicks(untilTicks: Int? = nil) -> [Int] {
        bars(untilTicks: untilTicks).map(\.startTicks)
    }

    /// How many bars `bars(untilTicks:)` would list, counted without listing them:
    /// linear in the time-signature changes whatever the length.
    public func barCount(untilTicks: Int? = nil) -> Int {
        barRuns(untilTicks: max(endTicks, untilTicks ?? 0)).reduce(0) { $0 + $1.count }
    }

    /// Bars of one signature in a row: `count` bars of `barTicks` from `startTicks`.
    struct BarRun { var startTicks: Int; var barTicks: Int; var count: Int; var signature: TimeSignatureChange }

    /// The bar lines up to `end` as runs, one per stretch between time-signature changes.
    /// A run ends at the next change (whose bar starts there, even mid-bar) or at `end`;
    /// the first bar starts at tick 0 even when `end` is 0. Changes at one tick: the
    /// last in the list wins.
    func barRuns(untilTicks end: Int) -> [BarRun] {
        let changes = stableSorted(timeSignatures) { $0.ticks < $1.ticks }
        var signature = TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4)
        var next = 0
        while next < changes.count && changes[next].ticks <= 0 { signature = changes[next]; next += 1 }
        var runs: [BarRun] = []
        var start = 0
        while true {
            let length = signature.barTicks(ticksPerQuarter: ticksPerQuarter)
            let changeTicks = next < changes.count ? changes[next].ticks : Int.max
            let stop = min(changeTicks, end)
            let count = stop > start ? (stop - start + length - 1) / length : 1
            runs.append(BarRun(startTicks: start, barTicks: length, count: count, signature: signature))
            guard changeTicks < end else { break }
            start = changeTicks
            while next < changes.count && changes[next].ticks <= start { signature = changes[next]; next += 1 }
        }
        return runs
    }

    /// Converts ticks to seconds through the tempo map.
    public var tempoMap: TempoMap {
        TempoMap(ticksPerQuarter: ticksPerQuarter, changes: tempoChanges)
    }
}
