// Building the files Cadenza writes: format 1 with a conductor track (tempo, time and
// key signatures) followed by one track per part (name, program change, events), and
// format 0 by merging tracks. Knows nothing of scores or tokens: callers turn their
// notes into `TimedEvent`s (see PianoScore+MIDI.swift).

/// One instrument part of a format 1 file: a track of channel events on one channel.
public struct MIDIPart: Hashable, Sendable {
    public var name: String
    public var channel: UInt8
    /// General MIDI program, 0 = acoustic grand piano.
    public var program: UInt8
    public var events: [TimedEvent]

    public init(name: String, channel: UInt8 = 0, program: UInt8 = 0, events: [TimedEvent]) {
        self.name = name
        self.channel = channel
        self.program = program
        self.events = events
    }
}

extension MIDIFile {
    /// The standard resolution Cadenza writes.
    public static let defaultTicksPerQuarter = 480

    /// A format 1 file: track 0 holds the title (if any) and the tempo, time- and
    /// key-signature changes; then one track per part starting with its name and
    /// program change. Events are ordered by ticks; at equal ticks note-offs come first
    /// so that a repeated note is not cut by its predecessor's release.
    public static func format1(ticksPerQuarter: Int = defaultTicksPerQuarter, title: String? = nil,
                               tempoChanges: [TempoChange], timeSignatures: [TimeSignatureChange] = [],
                               keySignatures: [KeySignatureChange] = [], parts: [MIDIPart]) -> MIDIFile {
        var conductor: [TimedEvent] = []
        if let title { conductor.append(TimedEvent(ticks: 0, event: .meta(.trackName(title)))) }
        for t in timeSignatures {
            conductor.append(TimedEvent(ticks: t.ticks, event: .meta(.timeSignature(
                numerator: t.numerator, denominator: t.denominator, clocksPerClick: 24, thirtySecondsPerQuarter: 8))))
        }
        for k in keySignatures {
            conductor.append(TimedEvent(ticks: k.ticks, event: .meta(.keySignature(sharps: k.sharps, isMinor: k.isMinor))))
        }
        for c in tempoChanges {
            conductor.append(TimedEvent(ticks: c.ticks, event: .meta(.tempo(microsecondsPerQuarter: c.microsecondsPerQuarter))))
        }
        conductor = stableSorted(conductor) { $0.ticks < $1.ticks }
        let end = parts.reduce(conductor.last?.ticks ?? 0) { max($0, $1.events.map(\.ticks).max() ?? 0) }
        conductor.append(TimedEvent(ticks: end, event: .meta(.endOfTrack)))

        var tracks = [MIDITrack(events: conductor)]
        for part in parts {
            var events = [TimedEvent(ticks: 0, event: .meta(.trackName(part.name))),
                          TimedEvent(ticks: 0, event: .channel(.programChange(channel: part.channel, program: part.program)))]
            events += stableSorted(part.events) { a, b in
                a.ticks != b.ticks ? a.ticks < b.ticks : (a.event.isNoteOff && !b.event.isNoteOff)
            }
            events.append(TimedEvent(ticks: end, event: .meta(.endOfTrack)))
            tracks.append(MIDITrack(events: events))
        }
        return MIDIFile(format: 1, division: .ticksPerQuarter(ticksPerQuarter), tracks: tracks)
    }

    /// The same events in one track (format 0): ordered by ticks, ties in track order,
    /// one end-of-track at the end.
    public func mergedToFormat0() -> MIDIFile {
        var merged: [TimedEvent] = []
        merged.reserveCapacity(tracks.reduce(0) { $0 + $1.events.count })
        for track in tracks {
            for e in track.events { if case .meta(.endOfTrack) = e.event { continue }; merged.append(e) }
        }
        merged = stableSorted(merged) { $0.ticks < $1.ticks }
        merged.append(TimedEvent(ticks: max(endTicks, merged.last?.ticks ?? 0), event: .meta(.endOfTrack)))
        return MIDIFile(format: 0, division: division, tracks: [MIDITrack(events: merged)])
    }
}

extension MIDIEvent {
    /// A note-off (or note-on with velocity 0, which the reader turns into a note-off).
    public var isNoteOff: Bool {
        if case .channel(.noteOff) = self { return true }
        return false
    }
}
