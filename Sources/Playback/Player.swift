// The Player protocol the composer and `cadenza play` drive, and the PlaybackOutput
// protocol each backend (ALSA sequencer, built-in synth over ALSA PCM, silent, and the
// tests' recorder) implements. The scheduling between them is in PlaybackScheduler.

/// Plays bars of notes from a playhead. Bars may be added while playing (as they are
/// written), replaced or removed (regenerated or rewound). Safe to call from any thread.
public protocol Player: AnyObject {
    var state: PlaybackState { get }
    /// The playhead, in seconds from the start of the piece.
    var positionSeconds: Double { get }
    /// Which backend plays and where, or why it is silent, for a status line:
    /// "ALSA seq → 128:0 FLUID Synth", "no sound: ALSA sequencer unavailable: no /dev/snd/seq".
    var statusDescription: String { get }
    /// True when nothing can be heard (the silent backend).
    var isSilent: Bool { get }
    /// The end of the last scheduled note, in seconds (0 when nothing is scheduled).
    var endSeconds: Double { get }

    /// Adds (or replaces) the notes of one bar. Notes whose onset is already behind
    /// the playhead are not played; a replaced bar's pending notes are dropped first.
    func schedule(bar: Int, notes: [PlaybackNote])
    /// Drops a bar: its pending events leave the queue and its sounding notes stop.
    func removeBar(_ bar: Int)
    /// Drops every bar (a new piece).
    func removeAllBars()
    /// Plays from `fromSeconds`; with `untilSeconds`, stops by itself there.
    func play(fromSeconds: Double, untilSeconds: Double?)
    /// Plays on from where `pause` (or `stop`) left the playhead.
    func resume()
    /// Stops the sound (all notes off, sustain off) and keeps the playhead for `resume`.
    func pause()
    /// Stops the sound (all notes off, sustain off); state becomes `.stopped`.
    func stop()
    /// Stops and releases the device. The player does nothing afterwards.
    func close()
}

extension Player {
    public func play(fromSeconds: Double) { play(fromSeconds: fromSeconds, untilSeconds: nil) }
}

/// What a backend offers the scheduler: a clock in piece seconds and a queue of
/// events it delivers at their times. Calls come from one thread at a time.
public protocol PlaybackOutput: AnyObject {
    /// The time being heard now, in piece seconds (frozen while the clock is stopped).
    var clockSeconds: Double { get }
    /// Starts the clock at `seconds` (piece time) with an empty queue.
    func startClock(atSeconds seconds: Double)
    func stopClock()
    /// Queues events (sorted, times in piece seconds); ones already due go out at once.
    func enqueue(_ events: [PlaybackEvent])
    /// Removes the queued, not yet delivered events of one bar.
    func removeQueued(bar: Int)
    func removeAllQueued()
    /// All notes off and sustain off, immediately.
    func silence()
    func close()
    /// Backend measurements for a report (the PCM loop's underruns and slack), if any.
    var diagnostics: String? { get }
}
