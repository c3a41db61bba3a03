// How big a piece Cadenza takes: the one place the limits are set. Every size that work or
// memory grows with follows from a file, so each is checked when the file is read, before
// any work (the reader counts notes and events as it goes; the bars are counted from the
// time signatures in arithmetic, never listed). A file over a limit is a MIDIError naming
// the size and the limit, e.g. "the piece is 268435457 bars long; Cadenza handles at most
// 100000 bars". What follows from these:
// - tokens: the tokenizer splits a bar longer than 8 quarters into parts of 4 to 8, and each
//   bar or part makes at most 6 tokens (BAR, TS, KEY, TEMPO, and a POS and TEMPO for a
//   change inside it), a note at most 5 (POS, TEMPO, VEL, PITCH, DUR); so a piece within the
//   limits makes at most 6 x (100,000 + 800,000 / 4) + 5 x 1,000,000 = 6.8 million tokens;
// - audio: a render is checked against `maximumAudioSeconds` and the 4 GB a WAV file can
//   hold before any sample is rendered (AudioExport in Synthesis).
// Real piano music is far inside them: the longest pieces in the corpora have under 3,000
// bars and 30,000 notes; an hour and a half of music is a very long work.

public enum PieceLimits {
    /// Bars from the start to the last event (bar lists, playback plans, token bars).
    public static let maximumBars = 100_000
    /// Length from the start to the last event, in quarter notes: 100,000 bars of 8/4, the
    /// longest bar the tokenizer spells whole (longer bars become several token bars).
    public static let maximumQuarterNotes = 800_000
    /// Note-ons of a file (every channel).
    public static let maximumNotes = 1_000_000
    /// Events of a file, all tracks together (the reader's memory).
    public static let maximumEvents = 10_000_000
    /// Audio rendered from one piece: 4 hours.
    public static let maximumAudioSeconds = 4.0 * 3600
}

extension MIDIFile {
    /// Bars from tick 0 to the last event, in the time base a PianoScore of this file has
    /// (SMPTE files on the 120 BPM grid), counting every time signature of every track.
    /// No bar list of the file is longer (FileSummary and PianoScore count to earlier ends
    /// or with fewer changes). Linear in the number of time-signature changes.
    public var barCount: Int {
        let base = PianoScore.timeBase(of: division)
        var signatures: [TimeSignatureChange] = []
        for track in tracks {
            for e in track.events {
                if case .meta(.timeSignature(let numerator, let denominator, _, _)) = e.event {
                    signatures.append(TimeSignatureChange(ticks: base.convert(max(0, e.ticks)), numerator: numerator, denominator: denominator))
                }
            }
        }
        let score = PianoScore(ticksPerQuarter: base.ticksPerQuarter, timeSignatures: stableSorted(signatures) { $0.ticks < $1.ticks })
        return score.barCount(untilTicks: base.convert(endTicks))
    }

    /// The length from the start to the last event in quarter notes (rounded up), in the
    /// time base a PianoScore of this file has.
    public var quarterNoteCount: Int {
        let base = PianoScore.timeBase(of: division)
        return (base.convert(endTicks) + base.ticksPerQuarter - 1) / base.ticksPerQuarter
    }

    /// Throws `MIDIError.tooLarge` when the file is longer than PieceLimits allow, in bars
    /// or in quarter notes.
    func checkLength(fileName: String) throws {
        let bars = barCount
        guard bars <= PieceLimits.maximumBars else {
            throw MIDIError.tooLarge(file: fileName, size: "the piece is \(bars) bars long", limit: "\(PieceLimits.maximumBars) bars")
        }
        let quarters = quarterNoteCount
        guard quarters <= PieceLimits.maximumQuarterNotes else {
            throw MIDIError.tooLarge(file: fileName, size: "the piece is \(quarters) quarter notes long",
                                     limit: "\(PieceLimits.maximumQuarterNotes) quarter notes")
        }
    }
}
