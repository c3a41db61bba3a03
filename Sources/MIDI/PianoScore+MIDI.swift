// From a MIDI file to a piano score and back. Reading merges every track and channel
// except the drum channel (10, index 9) into one piano: notes, sustain pedal (CC64)
// applied to durations, tempo, time- and key-signature changes; SMPTE-timed files are
// put on a 480-per-quarter grid at 120 BPM. Writing goes through the SMF data model
// (format 1: conductor track, piano track). No file I/O here.

extension PianoScore {
    /// Ticks per quarter of the grid an SMPTE-timed file is converted to (at 120 BPM).
    public static let smpteTicksPerQuarter = 480

    /// A file's time base as a score sees it: ticks per quarter, and file ticks to score
    /// ticks (the identity, or SMPTE ticks onto the 120 BPM grid).
    static func timeBase(of division: MIDIFile.Division) -> (ticksPerQuarter: Int, convert: (Int) -> Int) {
        switch division {
        case .ticksPerQuarter(let tpq):
            return (max(1, tpq), { $0 })
        case .smpte(let framesPerSecond, let ticksPerFrame):
            let fps = framesPerSecond == 29 ? 30_000.0 / 1001.0 : Double(max(1, framesPerSecond))
            let secondsPerTick = 1.0 / (fps * Double(max(1, ticksPerFrame)))
            let gridTicksPerSecond = Double(smpteTicksPerQuarter) * 2  // 120 BPM
            return (smpteTicksPerQuarter, { Int((Double($0) * secondsPerTick * gridTicksPerSecond).rounded()) })
        }
    }

    /// Reads the notes and the conductor events of a MIDI file.
    ///
    /// Rules (the usual practice for piano datasets):
    /// - A note-on at velocity 0 is a note-off. A note-on on a key that is still sounding
    ///   ends the sounding note there (a piano key is struck again); the key then sounds
    ///   until as many note-offs as note-ons have arrived, so overlapping same-pitch
    ///   notes from two tracks neither vanish nor end early.
    /// - Sustain pedal: CC64 >= 64 is down. A key released while the pedal is down keeps
    ///   sounding until the pedal lifts or the same key is struck again. The pedal of any
    ///   non-drum channel counts (one piano).
    /// - At equal ticks, releases are handled first, then controllers, then new notes.
    /// - Notes still sounding at the end stop at the last event of the file.
    /// - Zero-length notes are dropped; velocities are clamped to 1...127.
    public init(midi: MIDIFile) {
        // 1. The time base: ticks per quarter, or an SMPTE grid converted to ticks.
        let (ticksPerQuarter, convert) = Self.timeBase(of: midi.division)
        let isSMPTE: Bool
        if case .smpte = midi.division { isSMPTE = true } else { isSMPTE = false }
        var tempoChanges: [TempoChange] = isSMPTE ? [TempoChange(ticks: 0, microsecondsPerQuarter: 500_000)] : []

        // 2. All events of all tracks in one timeline, in the order they take effect.
        struct Item { var ticks: Int; var rank: Int; var order: Int; var event: MIDIEvent }
        var items: [Item] = []
        items.reserveCapacity(midi.tracks.reduce(0) { $0 + $1.events.count })
        var lastTicks = 0
        for track in midi.tracks {
            for timed in track.events {
                let ticks = convert(max(0, timed.ticks))
                lastTicks = max(lastTicks, ticks)
                let rank: Int
                switch timed.event {
                case .channel(.noteOff): rank = 0
                case .channel(.noteOn(_, _, let velocity)): rank = velocity == 0 ? 0 : 2
                default: rank = 1
                }
                items.append(Item(ticks: ticks, rank: rank, order: items.count, event: timed.event))
            }
        }
        items.sort { ($0.ticks, $0.rank, $0.order) < ($1.ticks, $1.rank, $1.order) }

        // 3. Walk the timeline: keys, pedal, conductor events.
        var notes: [ScoreNote] = []
        var timeSignatures: [TimeSignatureChange] = []
        var keySignatures: [KeySignatureChange] = []
        var onset = [Int](repeating: -1, count: 128)       // onset ticks of the sounding note, -1 = silent
        var velocityOf = [Int](repeating: 0, count: 128)
        var held = [Int](repeating: 0, count: 128)         // note-ons not yet released
        var pedalDown = [Bool](repeating: false, count: 16)
        var pedalCount = 0

        func end(_ key: Int, at ticks: Int) {
            if onset[key] >= 0 && ticks > onset[key] {
                notes.append(ScoreNote(pitch: key, velocity: velocityOf[key], onsetTicks: onset[key],
                                       durationTicks: ticks - onset[key]))
            }
            onset[key] = -1
            held[key] = 0
        }

        for item in items {
            switch item.event {
            case .channel(let message):
                if message.channel == 9 { continue }
                switch message {
                case .noteOn(_, let key, let velocity) where velocity > 0:
                    let k = Int(key)
                    let heldBefore = onset[k] >= 0 ? held[k] : 0
                    end(k, at: item.ticks)
                    onset[k] = item.ticks
                    velocityOf[k] = min(127, max(1, Int(velocity)))
                    held[k] = heldBefore + 1
                case .noteOn(_, let key, _), .noteOff(_, let key, _):
                    let k = Int(key)
                    guard onset[k] >= 0, held[k] > 0 else { continue }
                    held[k] -= 1
                    if held[k] == 0 && pedalCount == 0 { end(k, at: item.ticks) }
                case .controlChange(let channel, 64, let value):
                    let down = value >= 64
                    let c = Int(channel)
                    if down != pedalDown[c] {
                        pedalDown[c] = down
                        pedalCount += down ? 1 : -1
                        if pedalCount == 0 {
                            for k in 0..<128 where onset[k] >= 0 && held[k] == 0 { end(k, at: item.ticks) }
                        }
                    }
                default:
                    break
                }
            case .meta(let meta):
                switch meta {
                case .tempo(let microseconds) where !isSMPTE:
                    Self.upsert(&tempoChanges, TempoChange(ticks: item.ticks, microsecondsPerQuarter: max(1, microseconds)))
                case .timeSignature(let numerator, let denominator, _, _) where numerator > 0 && denominator > 0:
                    Self.upsert(&timeSignatures, TimeSignatureChange(ticks: item.ticks, numerator: numerator, denominator: denominator))
                case .keySignature(let sharps, let isMinor):
                    Self.upsert(&keySignatures, KeySignatureChange(ticks: item.ticks, sharps: max(-7, min(7, sharps)), isMinor: isMinor))
                default:
                    break
                }
            case .sysex:
                break
            }
        }
        for k in 0..<128 where onset[k] >= 0 { end(k, at: max(lastTicks, onset[k] + 1)) }

        self.init(ticksPerQuarter: ticksPerQuarter, notes: notes, tempoChanges: tempoChanges,
                  timeSignatures: timeSignatures, keySignatures: keySignatures)
        sortNotes()
    }

    /// Appends a change, replacing one at the same tick (the later event wins).
    private static func upsert<T>(_ list: inout [T], _ change: T) where T: TickedChange {
        if let last = list.last, last.ticks == change.ticks { list[list.count - 1] = change } else { list.append(change) }
    }

    /// The score as a format 1 file at 480 ticks per quarter: track 0 holds tempo, time-
    /// and key-signature changes; track 1 ("Piano") holds program 0 and the notes on
    /// channel 1 (index 0). A note that would overlap the next note of the same pitch is
    /// shortened to end where that one starts, so every reader pairs on and off alike.
    public func midiFile(title: String? = nil) -> MIDIFile {
        let outTPQ = 480
        let scale = { (ticks: Int) -> Int in
            self.ticksPerQuarter == outTPQ ? ticks
                : Int((Double(ticks) * Double(outTPQ) / Double(max(1, self.ticksPerQuarter))).rounded())
        }
        // Conductor track.
        var conductor: [TimedEvent] = []
        if let title { conductor.append(TimedEvent(ticks: 0, event: .meta(.trackName(title)))) }
        for t in timeSignatures {
            conductor.append(TimedEvent(ticks: scale(t.ticks), event: .meta(.timeSignature(
                numerator: t.numerator, denominator: t.denominator, clocksPerClick: 24, thirtySecondsPerQuarter: 8))))
        }
        for k in keySignatures {
            conductor.append(TimedEvent(ticks: scale(k.ticks), event: .meta(.keySignature(sharps: k.sharps, isMinor: k.isMinor))))
        }
        for c in tempoChanges {
            conductor.append(TimedEvent(ticks: scale(c.ticks), event: .meta(.tempo(microsecondsPerQuarter: c.microsecondsPerQuarter))))
        }
        conductor = conductor.enumerated().sorted { ($0.element.ticks, $0.offset) < ($1.element.ticks, $1.offset) }.map(\.element)

        // Piano track: note events, releases before attacks at equal ticks.
        var sorted = notes
        sorted.sort { ($0.onsetTicks, $0.pitch) < ($1.onsetTicks, $1.pitch) }
        var nextOnset = [Int](repeating: Int.max, count: 128)
        var ends = [Int](repeating: 0, count: sorted.count)
        for i in stride(from: sorted.count - 1, through: 0, by: -1) {
            let n = sorted[i]
            let p = min(127, max(0, n.pitch))
            ends[i] = min(scale(n.endTicks), nextOnset[p])
            nextOnset[p] = scale(n.onsetTicks)
        }
        var noteEvents: [(ticks: Int, rank: Int, event: TimedEvent)] = []
        noteEvents.reserveCapacity(sorted.count * 2)
        for (i, n) in sorted.enumerated() {
            let on = scale(n.onsetTicks)
            guard ends[i] > on else { continue }
            let key = UInt8(min(127, max(0, n.pitch)))
            let velocity = UInt8(min(127, max(1, n.velocity)))
            noteEvents.append((on, 1, TimedEvent(ticks: on, event: .channel(.noteOn(channel: 0, key: key, velocity: velocity)))))
            noteEvents.append((ends[i], 0, TimedEvent(ticks: ends[i], event: .channel(.noteOff(channel: 0, key: key, velocity: 64)))))
        }
        noteEvents.sort { ($0.ticks, $0.rank) < ($1.ticks, $1.rank) }
        // The end of track closes the piece, bars of rest at its end included.
        let end = max(conductor.last?.ticks ?? 0, noteEvents.last?.ticks ?? 0, scale(lengthTicks))
        conductor.append(TimedEvent(ticks: end, event: .meta(.endOfTrack)))
        var piano = [TimedEvent(ticks: 0, event: .meta(.trackName("Piano"))),
                     TimedEvent(ticks: 0, event: .channel(.programChange(channel: 0, program: 0)))]
        piano += noteEvents.map(\.event)
        piano.append(TimedEvent(ticks: end, event: .meta(.endOfTrack)))
        return MIDIFile(format: 1, division: .ticksPerQuarter(outTPQ),
                        tracks: [MIDITrack(events: conductor), MIDITrack(events: piano)])
    }
}

/// Conductor changes that sit at a tick (for de-duplicating changes at equal ticks).
protocol TickedChange { var ticks: Int { get } }
extension TempoChange: TickedChange {}
extension TimeSignatureChange: TickedChange {}
extension KeySignatureChange: TickedChange {}
