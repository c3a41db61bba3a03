// What `cadenza info` reports about one MIDI file, computed from its events alone:
// format, division, tracks, notes per channel, tempo, time and key signatures, duration
// in seconds and bars, pitch range, sustain pedal. Codable for `--json`; `report()`
// gives the human-readable text. No I/O here.

public struct FileSummary: Codable, Hashable, Sendable {
    public struct Track: Codable, Hashable, Sendable {
        public var index: Int
        public var name: String?
        public var events: Int
        public var notes: Int
    }

    public struct Signature: Codable, Hashable, Sendable {
        public var ticks: Int
        /// 1-based bar where the change takes effect (nil for SMPTE-timed files).
        public var bar: Int?
        /// "3/4" for time signatures, "A major" / "F# minor" for key signatures.
        public var value: String
    }

    public var file: String
    public var bytes: Int
    public var format: Int
    /// "480 ticks per quarter" or "SMPTE 25 fps, 40 ticks per frame".
    public var division: String
    public var ticksPerQuarter: Int?
    public var tracks: [Track]
    public var notes: Int
    /// Note count per MIDI channel, numbered 1...16 as musicians do ("1": 120).
    public var notesPerChannel: [String: Int]
    /// The tempo in force at tick 0 (120 when the file has no tempo event there).
    public var initialBeatsPerMinute: Double
    public var tempoChanges: Int
    public var timeSignatures: [Signature]
    public var keySignatures: [Signature]
    public var durationSeconds: Double
    /// Bars from tick 0 to the end of the file (4/4 when no time signature is given);
    /// nil for SMPTE-timed files, which have no bars.
    public var durationBars: Int?
    public var lowestPitch: Int?
    public var highestPitch: Int?
    /// Sustain pedal (controller 64) presses, value >= 64 after a release or at the start.
    public var sustainPedalPresses: Int
    public var sustainPedalUsed: Bool { sustainPedalPresses > 0 }
    public var sysexEvents: Int

    enum CodingKeys: String, CodingKey {
        case file, bytes, format, division, ticksPerQuarter, tracks, notes, notesPerChannel
        case initialBeatsPerMinute, tempoChanges, timeSignatures, keySignatures
        case durationSeconds, durationBars, lowestPitch, highestPitch, sustainPedalPresses, sustainPedalUsed, sysexEvents
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        file = try c.decode(String.self, forKey: .file)
        bytes = try c.decode(Int.self, forKey: .bytes)
        format = try c.decode(Int.self, forKey: .format)
        division = try c.decode(String.self, forKey: .division)
        ticksPerQuarter = try c.decodeIfPresent(Int.self, forKey: .ticksPerQuarter)
        tracks = try c.decode([Track].self, forKey: .tracks)
        notes = try c.decode(Int.self, forKey: .notes)
        notesPerChannel = try c.decode([String: Int].self, forKey: .notesPerChannel)
        initialBeatsPerMinute = try c.decode(Double.self, forKey: .initialBeatsPerMinute)
        tempoChanges = try c.decode(Int.self, forKey: .tempoChanges)
        timeSignatures = try c.decode([Signature].self, forKey: .timeSignatures)
        keySignatures = try c.decode([Signature].self, forKey: .keySignatures)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        durationBars = try c.decodeIfPresent(Int.self, forKey: .durationBars)
        lowestPitch = try c.decodeIfPresent(Int.self, forKey: .lowestPitch)
        highestPitch = try c.decodeIfPresent(Int.self, forKey: .highestPitch)
        sustainPedalPresses = try c.decode(Int.self, forKey: .sustainPedalPresses)
        sysexEvents = try c.decode(Int.self, forKey: .sysexEvents)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(format, forKey: .format)
        try c.encode(division, forKey: .division)
        try c.encode(ticksPerQuarter, forKey: .ticksPerQuarter)
        try c.encode(tracks, forKey: .tracks)
        try c.encode(notes, forKey: .notes)
        try c.encode(notesPerChannel, forKey: .notesPerChannel)
        try c.encode(initialBeatsPerMinute, forKey: .initialBeatsPerMinute)
        try c.encode(tempoChanges, forKey: .tempoChanges)
        try c.encode(timeSignatures, forKey: .timeSignatures)
        try c.encode(keySignatures, forKey: .keySignatures)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(durationBars, forKey: .durationBars)
        try c.encode(lowestPitch, forKey: .lowestPitch)
        try c.encode(highestPitch, forKey: .highestPitch)
        try c.encode(sustainPedalPresses, forKey: .sustainPedalPresses)
        try c.encode(sustainPedalUsed, forKey: .sustainPedalUsed)
        try c.encode(sysexEvents, forKey: .sysexEvents)
    }
}

extension FileSummary {
    /// Summarizes a parsed file. `file` and `bytes` label it (name and size on disk).
    public init(_ midi: MIDIFile, file: String, bytes: Int) {
        self.file = file
        self.bytes = bytes
        format = midi.format
        switch midi.division {
        case .ticksPerQuarter(let t):
            division = "\(t) ticks per quarter"; ticksPerQuarter = t
        case .smpte(let fps, let tpf):
            division = "SMPTE \(fps == 29 ? "29.97 (drop-frame)" : String(fps)) fps, \(tpf) ticks per frame"; ticksPerQuarter = nil
        }

        var channelNotes = [Int](repeating: 0, count: 16)
        var low = Int.max, high = Int.min
        var pedalDown = [Bool](repeating: false, count: 16)
        var presses = 0, sysex = 0
        var timeChanges: [(ticks: Int, numerator: Int, denominator: Int)] = []
        var keyChanges: [(ticks: Int, sharps: Int, isMinor: Bool)] = []
        var trackRows: [Track] = []
        for (index, track) in midi.tracks.enumerated() {
            var trackNotes = 0
            for e in track.events {
                switch e.event {
                case .channel(.noteOn(let channel, let key, _)):
                    trackNotes += 1
                    channelNotes[Int(channel & 0x0F)] += 1
                    low = min(low, Int(key)); high = max(high, Int(key))
                case .channel(.controlChange(let channel, 64, let value)):
                    let c = Int(channel & 0x0F)
                    if value >= 64 { if !pedalDown[c] { presses += 1 }; pedalDown[c] = true } else { pedalDown[c] = false }
                case .sysex:
                    sysex += 1
                case .meta(.timeSignature(let n, let d, _, _)):
                    timeChanges.append((e.ticks, n, d))
                case .meta(.keySignature(let sharps, let isMinor)):
                    keyChanges.append((e.ticks, sharps, isMinor))
                default:
                    break
                }
            }
            trackRows.append(Track(index: index, name: track.name, events: track.events.count, notes: trackNotes))
        }
        tracks = trackRows
        notes = channelNotes.reduce(0, +)
        var perChannel: [String: Int] = [:]
        for (c, n) in channelNotes.enumerated() where n > 0 { perChannel[String(c + 1)] = n }
        notesPerChannel = perChannel
        lowestPitch = low == Int.max ? nil : low
        highestPitch = high == Int.min ? nil : high
        sustainPedalPresses = presses
        sysexEvents = sysex

        let tempos = midi.tempoChanges
        tempoChanges = tempos.count
        let atStart = tempos.last(where: { $0.ticks == 0 })
        initialBeatsPerMinute = atStart.map { 60_000_000.0 / Double(max(1, $0.microsecondsPerQuarter)) } ?? 120
        let end = midi.endTicks
        durationSeconds = midi.tempoMap().seconds(atTicks: end)

        // Bars: only meaningful with ticks per quarter. A signature repeated unchanged is not a change.
        let sortedTimes = stableSorted(timeChanges) { $0.ticks < $1.ticks }
        var distinctTimes: [(ticks: Int, numerator: Int, denominator: Int)] = []
        for t in sortedTimes {
            if let last = distinctTimes.last {
                if last.ticks == t.ticks { distinctTimes[distinctTimes.count - 1] = t; continue }
                if last.numerator == t.numerator && last.denominator == t.denominator { continue }
            }
            distinctTimes.append(t)
        }
        var barStarts: [Int]? = nil
        if let tpq = ticksPerQuarter {
            let score = PianoScore(ticksPerQuarter: tpq, timeSignatures: distinctTimes.map {
                TimeSignatureChange(ticks: $0.ticks, numerator: $0.numerator, denominator: $0.denominator)
            })
            let starts = score.barStartTicks(untilTicks: end)
            barStarts = starts
            durationBars = end == 0 ? 0 : starts.count
        } else {
            durationBars = nil
        }
        func bar(at ticks: Int) -> Int? {
            guard let starts = barStarts else { return nil }
            var lo = 0, hi = starts.count - 1
            while lo < hi { let mid = (lo + hi + 1) / 2; if starts[mid] <= ticks { lo = mid } else { hi = mid - 1 } }
            return lo + 1
        }
        timeSignatures = distinctTimes.map { Signature(ticks: $0.ticks, bar: bar(at: $0.ticks), value: "\($0.numerator)/\($0.denominator)") }
        var keys: [Signature] = []
        for k in stableSorted(keyChanges, by: { $0.ticks < $1.ticks }) {
            let name = FileSummary.keyName(sharps: k.sharps, isMinor: k.isMinor)
            if keys.last?.value == name { continue }
            keys.append(Signature(ticks: k.ticks, bar: bar(at: k.ticks), value: name))
        }
        keySignatures = keys
    }

    /// "A major", "Eb minor" from a key signature's sharps (-7...7) and mode.
    public static func keyName(sharps: Int, isMinor: Bool) -> String {
        let major = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
        let minor = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]
        let i = max(-7, min(7, sharps)) + 7
        return isMinor ? minor[i] + " minor" : major[i] + " major"
    }

    /// "C4" for 60 (middle C), "A0" for 21.
    public static func pitchName(_ key: Int) -> String {
        let names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
        return names[((key % 12) + 12) % 12] + String(key / 12 - 1)
    }
}
