// The backend-independent heart of playback: which events go to the output, when,
// tagged with which bar; dropping a bar's pending events (and stopping its sounding
// notes); play, pause, stop and the optional end time. Not thread-safe: ScheduledPlayer
// serializes calls. It reads time only through the output's clock.

final class PlaybackScheduler {
    let output: PlaybackOutput
    /// How far ahead of the clock events are handed to the output (about one bar).
    let lookaheadSeconds: Double
    private(set) var state: PlaybackState = .stopped
    /// How far ahead of its clock an output may already have played a note (the PCM
    /// loop renders its buffer plus one period ahead, about 90 ms).
    static let renderAheadMarginSeconds = 0.15

    private var bars: [Int: [PlaybackNote]] = [:]
    /// Events not yet handed to the output, sorted; `cursor` is the next one.
    private var pending: [PlaybackEvent] = []
    private var cursor = 0
    /// Every event before this time has been handed to the output.
    private var dispatchedUntilSeconds = 0.0
    private var fromSeconds = 0.0
    private var untilSeconds: Double?
    private var stoppedPositionSeconds = 0.0

    init(output: PlaybackOutput, lookaheadSeconds: Double) {
        precondition(lookaheadSeconds > 0, "lookahead must be positive")
        self.output = output
        self.lookaheadSeconds = lookaheadSeconds
    }

    var positionSeconds: Double {
        guard state == .playing else { return stoppedPositionSeconds }
        let clock = max(fromSeconds, output.clockSeconds)
        return untilSeconds.map { min($0, clock) } ?? clock
    }

    var endSeconds: Double {
        bars.values.reduce(0.0) { end, notes in notes.reduce(end) { max($0, $1.endSeconds) } }
    }

    var scheduledBars: [Int] { bars.keys.sorted() }

    func notes(ofBar bar: Int) -> [PlaybackNote] { bars[bar] ?? [] }

    // MARK: bars

    func schedule(bar: Int, notes: [PlaybackNote]) {
        if bars[bar] != nil { removeBar(bar) }
        bars[bar] = notes
        guard state == .playing else { return }
        let clock = output.clockSeconds
        let added = events(of: notes, bar: bar, fromSeconds: max(fromSeconds, clock))
        guard !added.isEmpty else { return }
        pending = (Array(pending[cursor...]) + added).sorted(by: PlaybackEvent.precedes)
        cursor = 0
        pump()
    }

    func removeBar(_ bar: Int) {
        guard let notes = bars.removeValue(forKey: bar) else { return }
        guard state == .playing else { return }
        let remaining = pending[cursor...].filter { $0.bar != bar }
        pending = Array(remaining)
        cursor = 0
        output.removeQueued(bar: bar)
        // Notes whose note-on went out and may have sounded (the output may render a
        // little ahead of its clock) but whose note-off was just dropped: stop them now.
        let clock = output.clockSeconds
        let soundingBy = min(dispatchedUntilSeconds, clock + Self.renderAheadMarginSeconds)
        let offs = notes
            .filter { $0.onsetSeconds >= fromSeconds && $0.onsetSeconds <= soundingBy && $0.endSeconds > clock }
            .map { PlaybackEvent(seconds: clock, kind: .noteOff(pitch: $0.pitch), bar: bar) }
            .sorted(by: PlaybackEvent.precedes)
        if !offs.isEmpty { output.enqueue(offs) }
    }

    func removeAllBars() {
        for bar in bars.keys.sorted() { removeBar(bar) }
    }

    // MARK: transport

    func play(fromSeconds start: Double, untilSeconds end: Double?) {
        if state == .playing { stopSound() }
        fromSeconds = max(0, start)
        untilSeconds = end.map { max(fromSeconds, $0) }
        var all: [PlaybackEvent] = []
        for (bar, notes) in bars { all += events(of: notes, bar: bar, fromSeconds: fromSeconds) }
        pending = all.sorted(by: PlaybackEvent.precedes)
        cursor = 0
        dispatchedUntilSeconds = fromSeconds
        output.startClock(atSeconds: fromSeconds)
        state = .playing
        pump()
    }

    func resume() {
        guard state != .playing else { return }
        play(fromSeconds: stoppedPositionSeconds, untilSeconds: untilSeconds)
    }

    func pause() {
        guard state == .playing else { return }
        stoppedPositionSeconds = positionSeconds
        stopSound()
        state = .paused
    }

    func stop() {
        if state == .playing { stoppedPositionSeconds = positionSeconds }
        stopSound()
        state = .stopped
    }

    /// Hands the output every pending event due before the clock plus the lookahead;
    /// at the end time, stops. Called often (a pump thread or the audio render loop).
    func pump() {
        guard state == .playing else { return }
        let clock = output.clockSeconds
        if let end = untilSeconds, clock >= end {
            stoppedPositionSeconds = end
            stopSound()
            state = .stopped
            return
        }
        var horizon = clock + lookaheadSeconds
        // Everything left is at or before the end time: hand it all over near the end.
        if let end = untilSeconds, horizon >= end { horizon = .infinity }
        var last = cursor
        while last < pending.count && pending[last].seconds < horizon { last += 1 }
        if last > cursor {
            output.enqueue(Array(pending[cursor..<last]))
            cursor = last
        }
        if cursor == pending.count { pending.removeAll(keepingCapacity: true); cursor = 0 }
        dispatchedUntilSeconds = max(dispatchedUntilSeconds, horizon)
    }

    // MARK: helpers

    private func stopSound() {
        output.stopClock()
        output.removeAllQueued()
        output.silence()
        pending.removeAll()
        cursor = 0
    }

    /// Note-on and note-off events of the notes starting at or after `start` (and
    /// before the end time, where their note-offs are cut).
    private func events(of notes: [PlaybackNote], bar: Int, fromSeconds start: Double) -> [PlaybackEvent] {
        var out: [PlaybackEvent] = []
        for note in notes where note.onsetSeconds >= start - 1e-9 {
            if let end = untilSeconds, note.onsetSeconds >= end { continue }
            guard (0...127).contains(note.pitch) else { continue }
            let velocity = min(127, max(1, note.velocity))
            var off = note.onsetSeconds + max(0, note.durationSeconds)
            if let end = untilSeconds { off = min(off, end) }
            out.append(PlaybackEvent(seconds: note.onsetSeconds, kind: .noteOn(pitch: note.pitch, velocity: velocity), bar: bar))
            out.append(PlaybackEvent(seconds: off, kind: .noteOff(pitch: note.pitch), bar: bar))
        }
        return out
    }
}
