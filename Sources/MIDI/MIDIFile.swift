// The Standard MIDI File data model: a header (format, division) and tracks of events
// at absolute tick times. Parsing lives in MIDIFile+Reading.swift, encoding in
// MIDIFile+Writing.swift; this file holds only the types.

public struct MIDIFile: Hashable, Sendable {
    /// SMF format: 0 (one track), 1 (simultaneous tracks), 2 (independent sequences).
    public var format: Int
    public var division: Division
    public var tracks: [MIDITrack]

    public init(format: Int = 1, division: Division = .ticksPerQuarter(480), tracks: [MIDITrack] = []) {
        self.format = format
        self.division = division
        self.tracks = tracks
    }

    public enum Division: Hashable, Sendable {
        case ticksPerQuarter(Int)
        /// SMPTE: frames per second (24, 25, 29 for 29.97 drop-frame, 30) and ticks per frame.
        case smpte(framesPerSecond: Int, ticksPerFrame: Int)
    }
}

public struct MIDITrack: Hashable, Sendable {
    /// Events in file order; `ticks` is absolute (the running sum of delta times).
    public var events: [TimedEvent]

    public init(events: [TimedEvent] = []) { self.events = events }

    /// The track name meta event's text, if any.
    public var name: String? {
        for e in events { if case .meta(.trackName(let n)) = e.event { return n } }
        return nil
    }
}

public struct TimedEvent: Hashable, Sendable {
    public var ticks: Int
    public var event: MIDIEvent

    public init(ticks: Int, event: MIDIEvent) {
        self.ticks = ticks
        self.event = event
    }
}

public enum MIDIEvent: Hashable, Sendable {
    case channel(ChannelMessage)
    /// System exclusive: `escape` is false for F0 (the payload excludes the F0 byte),
    /// true for F7 (an escape or continuation packet).
    case sysex(bytes: [UInt8], escape: Bool)
    case meta(MetaEvent)
}

/// A channel voice message. Channels are 0...15; data values 0...127.
/// A note-on with velocity 0 is read as `.noteOff` with velocity 0 (as the SMF spec allows).
public enum ChannelMessage: Hashable, Sendable {
    case noteOff(channel: UInt8, key: UInt8, velocity: UInt8)
    case noteOn(channel: UInt8, key: UInt8, velocity: UInt8)
    case polyphonicPressure(channel: UInt8, key: UInt8, pressure: UInt8)
    case controlChange(channel: UInt8, controller: UInt8, value: UInt8)
    case programChange(channel: UInt8, program: UInt8)
    case channelPressure(channel: UInt8, pressure: UInt8)
    /// 14-bit value, 0...16383, centre 8192.
    case pitchBend(channel: UInt8, value: UInt16)

    public var channel: UInt8 {
        switch self {
        case .noteOff(let c, _, _), .noteOn(let c, _, _), .polyphonicPressure(let c, _, _),
             .controlChange(let c, _, _), .programChange(let c, _), .channelPressure(let c, _),
             .pitchBend(let c, _):
            return c
        }
    }
}

public enum MetaEvent: Hashable, Sendable {
    case sequenceNumber(Int)
    case text(String)
    case copyright(String)
    case trackName(String)
    case instrumentName(String)
    case lyric(String)
    case marker(String)
    case cuePoint(String)
    case channelPrefix(UInt8)
    case endOfTrack
    case tempo(microsecondsPerQuarter: Int)
    case smpteOffset(hours: UInt8, minutes: UInt8, seconds: UInt8, frames: UInt8, subframes: UInt8)
    /// `denominator` is the note value (4 = quarter), not the SMF power of two.
    case timeSignature(numerator: Int, denominator: Int, clocksPerClick: Int, thirtySecondsPerQuarter: Int)
    case keySignature(sharps: Int, isMinor: Bool)
    /// Any other meta event (sequencer-specific and unknown types), kept as raw bytes.
    case other(type: UInt8, data: [UInt8])
}
