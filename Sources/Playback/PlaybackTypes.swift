// The values that flow through playback: a note in seconds (what the composer feeds),
// an event on an output's queue (what a backend receives, tagged with its bar), and
// the player's state. No timing, threads or ALSA here.

/// One note to play; times in seconds from the start of the piece (tempo map applied).
public struct PlaybackNote: Hashable, Sendable {
    public var pitch: Int            // MIDI key number 0...127
    public var velocity: Int         // 1...127
    public var onsetSeconds: Double
    public var durationSeconds: Double
    public var endSeconds: Double { onsetSeconds + durationSeconds }

    public init(pitch: Int, velocity: Int, onsetSeconds: Double, durationSeconds: Double) {
        self.pitch = pitch
        self.velocity = velocity
        self.onsetSeconds = onsetSeconds
        self.durationSeconds = durationSeconds
    }
}

/// One message on an output's queue, at a time in piece seconds, tagged with its bar.
public struct PlaybackEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case noteOn(pitch: Int, velocity: Int)
        case noteOff(pitch: Int)
    }
    public var seconds: Double
    public var kind: Kind
    public var bar: Int

    public init(seconds: Double, kind: Kind, bar: Int) {
        self.seconds = seconds
        self.kind = kind
        self.bar = bar
    }

    public var pitch: Int {
        switch kind { case .noteOn(let p, _), .noteOff(let p): return p }
    }

    /// Queue order: by time; at equal times note-offs first (so a repeated pitch sounds
    /// again), then by pitch and bar, so the order never depends on insertion.
    public static func precedes(_ a: PlaybackEvent, _ b: PlaybackEvent) -> Bool {
        if a.seconds != b.seconds { return a.seconds < b.seconds }
        if a.rank != b.rank { return a.rank < b.rank }
        if a.pitch != b.pitch { return a.pitch < b.pitch }
        return a.bar < b.bar
    }
    private var rank: Int {
        if case .noteOff = kind { return 0 } else { return 1 }
    }
}

public enum PlaybackState: String, Sendable {
    case stopped, playing, paused
}
