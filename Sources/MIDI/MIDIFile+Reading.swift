// Parsing Standard MIDI Files (formats 0, 1 and 2) from bytes. Every length read from
// the file is checked against the bytes that remain before anything is allocated or
// skipped, so a lying length gives a MIDIError, never a crash or a huge allocation.
// Work is linear in the file size, and the sizes that work elsewhere grows with (notes,
// events, bars) are held to PieceLimits while reading. Damage the reader can read past (a
// tempo event without its 3 bytes) is kept as an unknown event and reported as a
// MIDIWarning by `read`. Reading from disk is `read(contentsOf:)` / `init(contentsOf:)`.
//
// Running status: the spec says meta and sysex events cancel it. Real files (and mido)
// often resume the previous channel status after a meta event, so this reader keeps
// the last channel status across meta and sysex events instead of rejecting the file.
// The writer never relies on that (it restates the status after meta and sysex).

import FileSafety
import Foundation
import UntrustedText

extension MIDIFile {
    /// Largest file `read(contentsOf:)` (and so `init(contentsOf:)`) reads; real MIDI files are a few megabytes.
    public static let maximumFileBytes = 256 << 20

    /// A parsed file and what was damaged in it but could be read past.
    public struct Reading: Sendable {
        public var file: MIDIFile
        /// In file order; each says what was kept or ignored.
        public var warnings: [MIDIWarning]
    }

    /// Parses the bytes of a Standard MIDI File. `fileName` only labels errors and warnings.
    public static func read(bytes: [UInt8], fileName: String = "<memory>") throws -> Reading {
        try bytes.withUnsafeBufferPointer { buffer in
            var reader = SMFReader(bytes: buffer, fileName: fileName)
            let file = try reader.readFile()
            try file.checkLength(fileName: fileName)
            return Reading(file: file, warnings: reader.warnings)
        }
    }

    /// Reads and parses a file from disk. Errors name the file `fileName` if given
    /// (for example the path as the user typed it), else the URL's path.
    public static func read(contentsOf url: URL, fileName: String? = nil) throws -> Reading {
        let name = fileName ?? (url.isFileURL ? url.path : url.absoluteString)
        let size: Int
        do { size = try InputFile.regularFileSize(atPath: url.path) } catch let e as InputFileError {
            throw MIDIError.io(file: name, reason: e == .directory ? "is a directory, not a MIDI file" : e.description)
        }
        if size > MIDIFile.maximumFileBytes {
            throw MIDIError.io(file: name, reason: "file is \(size) bytes, larger than any MIDI file should be (limit \(MIDIFile.maximumFileBytes))")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw MIDIError.io(file: name, reason: "cannot read file (\(error.localizedDescription))")
        }
        return try read(bytes: [UInt8](data), fileName: name)
    }

    /// `read(bytes:fileName:)` without the warnings.
    public init(bytes: [UInt8], fileName: String = "<memory>") throws {
        self = try Self.read(bytes: bytes, fileName: fileName).file
    }

    /// `read(contentsOf:fileName:)` without the warnings.
    public init(contentsOf url: URL, fileName: String? = nil) throws {
        self = try Self.read(contentsOf: url, fileName: fileName).file
    }
}

/// Damage a reader can read past, at a byte offset of the file: what was wrong and what
/// was made of it. Printed as a warning line, the way FluidSynth and mido report it.
public struct MIDIWarning: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    public var message: String

    public var description: String { "\(file): byte \(offset): \(message)" }
}

/// One pass over the bytes of a file. Offsets in errors are absolute file offsets.
struct SMFReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let fileName: String
    var index = 0
    var warnings: [MIDIWarning] = []
    /// Events and note-ons so far, all tracks (held to PieceLimits).
    var eventCount = 0
    var noteCount = 0

    init(bytes: UnsafeBufferPointer<UInt8>, fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    mutating func readFile() throws -> MIDIFile {
        // 1. The header chunk: "MThd", length >= 6, format, track count, division.
        guard bytes.count >= 4, bytes[0] == 0x4D, bytes[1] == 0x54, bytes[2] == 0x68, bytes[3] == 0x64 else {
            throw MIDIError.notMIDI(file: fileName, offset: 0, found: describeMagic())
        }
        guard bytes.count >= 14 else {
            throw MIDIError.truncated(file: fileName, offset: bytes.count, needed: "a 14-byte header")
        }
        let headerLength = readUInt32(at: 4)
        guard headerLength >= 6 else {
            throw MIDIError.badHeader(file: fileName, offset: 4, reason: "header length \(headerLength), expected 6")
        }
        guard headerLength <= bytes.count - 8 else {
            throw MIDIError.chunkPastEnd(file: fileName, offset: 4, chunk: "MThd", length: headerLength, available: bytes.count - 8)
        }
        let format = readUInt16(at: 8)
        guard format <= 2 else {
            throw MIDIError.badHeader(file: fileName, offset: 8, reason: "format \(format) (only 0, 1 and 2 exist)")
        }
        let trackCount = readUInt16(at: 10)
        if format == 0 && trackCount != 1 {
            throw MIDIError.badHeader(file: fileName, offset: 10, reason: "format 0 with \(trackCount) tracks (it must have exactly one)")
        }
        let division = try readDivision(at: 12)
        index = 8 + headerLength

        // 2. Chunks until the promised number of tracks is read. Unknown chunks are skipped;
        //    bytes after the last track are ignored.
        var tracks: [MIDITrack] = []
        tracks.reserveCapacity(min(trackCount, 64))
        while tracks.count < trackCount {
            let chunkStart = index
            guard bytes.count - index >= 8 else {
                if index == bytes.count {
                    throw MIDIError.missingTracks(file: fileName, offset: index, expected: trackCount, found: tracks.count)
                }
                throw MIDIError.truncated(file: fileName, offset: bytes.count, needed: "an 8-byte chunk header at byte \(index)")
            }
            let isTrack = bytes[index] == 0x4D && bytes[index + 1] == 0x54 && bytes[index + 2] == 0x72 && bytes[index + 3] == 0x6B
            let length = readUInt32(at: index + 4)
            let available = bytes.count - index - 8
            guard length <= available else {
                throw MIDIError.chunkPastEnd(file: fileName, offset: chunkStart + 4, chunk: chunkName(at: chunkStart),
                                             length: length, available: available)
            }
            index += 8
            if isTrack {
                tracks.append(try readTrack(end: index + length))
            }
            index = chunkStart + 8 + length
        }
        return MIDIFile(format: format, division: division, tracks: tracks)
    }

    // MARK: - Header pieces

    func readUInt32(at i: Int) -> Int {
        Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
    }

    func readUInt16(at i: Int) -> Int {
        Int(bytes[i]) << 8 | Int(bytes[i + 1])
    }

    func readDivision(at i: Int) throws -> MIDIFile.Division {
        let high = bytes[i], low = bytes[i + 1]
        if high & 0x80 == 0 {
            let ticks = readUInt16(at: i)
            guard ticks > 0 else { throw MIDIError.badHeader(file: fileName, offset: i, reason: "zero ticks per quarter note") }
            return .ticksPerQuarter(ticks)
        }
        let framesPerSecond = -Int(Int8(bitPattern: high))
        guard [24, 25, 29, 30].contains(framesPerSecond) else {
            throw MIDIError.badHeader(file: fileName, offset: i, reason: "SMPTE division with \(framesPerSecond) frames per second (expected 24, 25, 29 or 30)")
        }
        guard low > 0 else { throw MIDIError.badHeader(file: fileName, offset: i + 1, reason: "SMPTE division with zero ticks per frame") }
        return .smpte(framesPerSecond: framesPerSecond, ticksPerFrame: Int(low))
    }

    func describeMagic() -> String {
        if bytes.isEmpty { return "an empty file" }
        let prefix = Array(bytes.prefix(4))
        if prefix == Array("RIFF".utf8) { return "\"RIFF\" (a RIFF file such as WAV, not MIDI)" }
        return "\"" + escapedForDisplay(prefix) + "\""
    }

    func chunkName(at i: Int) -> String {
        escapedForDisplay(bytes[i..<i + 4])
    }

    // MARK: - Track events

    /// Reads the events of one track chunk whose data ends at `end`. Stops at the
    /// end-of-track meta event (adding one at the last tick if the chunk has none).
    mutating func readTrack(end: Int) throws -> MIDITrack {
        var events: [TimedEvent] = []
        // A rough upper bound that never exceeds the chunk's real size (3 bytes per event);
        // past 64 Ki events the array grows as it goes.
        events.reserveCapacity(min((end - index) / 3 + 1, 1 << 16))
        var ticks = 0
        var runningStatus: UInt8 = 0
        while index < end {
            let deltaOffset = index
            switch VariableLengthQuantity.decode(bytes, at: &index, end: end) {
            case .success(let delta): ticks += delta
            case .failure(.truncated): throw eventPastChunk(deltaOffset, "a delta time")
            case .failure(.tooLong):
                throw MIDIError.badEvent(file: fileName, offset: deltaOffset, reason: "delta time longer than 4 bytes")
            }
            guard index < end else { throw eventPastChunk(index, "an event after the delta time") }
            let statusOffset = index
            var status = bytes[index]
            if status < 0x80 {
                guard runningStatus != 0 else {
                    throw MIDIError.missingStatus(file: fileName, offset: statusOffset, byte: status)
                }
                status = runningStatus
            } else {
                index += 1
            }
            eventCount += 1
            guard eventCount <= PieceLimits.maximumEvents else {
                throw MIDIError.tooLarge(file: fileName, size: "the file has more than \(PieceLimits.maximumEvents) events",
                                         limit: "\(PieceLimits.maximumEvents) events")
            }
            switch status {
            case 0x80...0xEF:
                runningStatus = status
                let message = try readChannelMessage(status: status, end: end)
                if case .noteOn = message {
                    noteCount += 1
                    guard noteCount <= PieceLimits.maximumNotes else {
                        throw MIDIError.tooLarge(file: fileName, size: "the piece has more than \(PieceLimits.maximumNotes) notes",
                                                 limit: "\(PieceLimits.maximumNotes) notes")
                    }
                }
                events.append(TimedEvent(ticks: ticks, event: .channel(message)))
            case 0xF0, 0xF7:
                let payload = try readLengthPrefixed(end: end, what: "sysex")
                events.append(TimedEvent(ticks: ticks, event: .sysex(bytes: payload, escape: status == 0xF7)))
            case 0xFF:
                guard index < end else { throw eventPastChunk(index, "a meta event type") }
                let type = bytes[index]
                index += 1
                let data = try readLengthPrefixed(end: end, what: "meta event")
                let meta = MetaEvent.decode(type: type, data: data)
                if let damage = MetaEvent.damage(type: type, data: data) {
                    warnings.append(MIDIWarning(file: fileName, offset: statusOffset, message: damage))
                }
                events.append(TimedEvent(ticks: ticks, event: .meta(meta)))
                if case .endOfTrack = meta { return MIDITrack(events: events) }
            default:
                throw MIDIError.badEvent(file: fileName, offset: statusOffset,
                                         reason: "status byte \(hex(status)) is a system real-time or common message, which cannot appear in a MIDI file")
            }
        }
        events.append(TimedEvent(ticks: ticks, event: .meta(.endOfTrack)))
        return MIDITrack(events: events)
    }

    mutating func readChannelMessage(status: UInt8, end: Int) throws -> ChannelMessage {
        let channel = status & 0x0F
        let kind = status & 0xF0
        let dataCount = (kind == 0xC0 || kind == 0xD0) ? 1 : 2
        guard end - index >= dataCount else {
            throw eventPastChunk(index, "\(dataCount) data byte\(dataCount == 1 ? "" : "s") of a channel message")
        }
        let a = bytes[index]
        let b = dataCount == 2 ? bytes[index + 1] : 0
        if a >= 0x80 || b >= 0x80 {
            let bad = a >= 0x80 ? index : index + 1
            throw MIDIError.badEvent(file: fileName, offset: bad,
                                     reason: "status byte \(hex(bytes[bad])) inside the data of a channel message (data bytes are below 0x80)")
        }
        index += dataCount
        switch kind {
        case 0x80: return .noteOff(channel: channel, key: a, velocity: b)
        case 0x90: return b == 0 ? .noteOff(channel: channel, key: a, velocity: 0) : .noteOn(channel: channel, key: a, velocity: b)
        case 0xA0: return .polyphonicPressure(channel: channel, key: a, pressure: b)
        case 0xB0: return .controlChange(channel: channel, controller: a, value: b)
        case 0xC0: return .programChange(channel: channel, program: a)
        case 0xD0: return .channelPressure(channel: channel, pressure: a)
        default: return .pitchBend(channel: channel, value: UInt16(b) << 7 | UInt16(a))
        }
    }

    /// A VLQ length followed by that many bytes, all inside the chunk.
    mutating func readLengthPrefixed(end: Int, what: String) throws -> [UInt8] {
        let lengthOffset = index
        let length: Int
        switch VariableLengthQuantity.decode(bytes, at: &index, end: end) {
        case .success(let l): length = l
        case .failure(.truncated): throw eventPastChunk(lengthOffset, "the length of a \(what)")
        case .failure(.tooLong):
            throw MIDIError.badEvent(file: fileName, offset: lengthOffset, reason: "\(what) length longer than 4 bytes")
        }
        guard length <= end - index else {
            throw MIDIError.badEvent(file: fileName, offset: lengthOffset,
                                     reason: "\(what) claims \(length) bytes but its track has only \(end - index) left")
        }
        let payload = Array(bytes[index..<index + length])
        index += length
        return payload
    }

    func eventPastChunk(_ offset: Int, _ needed: String) -> MIDIError {
        if offset >= bytes.count { return .truncated(file: fileName, offset: offset, needed: needed) }
        return .badEvent(file: fileName, offset: offset, reason: "track chunk ends inside an event (needed \(needed))")
    }
}

extension MetaEvent {
    /// Interprets a meta event's payload. Known types with a malformed payload (wrong
    /// length, impossible values) are kept as `.other` so nothing is lost or invented.
    static func decode(type: UInt8, data: [UInt8]) -> MetaEvent {
        switch type {
        case 0x00 where data.count == 2: return .sequenceNumber(Int(data[0]) << 8 | Int(data[1]))
        case 0x01: return .text(decodeText(data))
        case 0x02: return .copyright(decodeText(data))
        case 0x03: return .trackName(decodeText(data))
        case 0x04: return .instrumentName(decodeText(data))
        case 0x05: return .lyric(decodeText(data))
        case 0x06: return .marker(decodeText(data))
        case 0x07: return .cuePoint(decodeText(data))
        case 0x20 where data.count == 1 && data[0] < 16: return .channelPrefix(data[0])
        case 0x2F where data.isEmpty: return .endOfTrack
        case 0x51 where data.count == 3:
            return .tempo(microsecondsPerQuarter: Int(data[0]) << 16 | Int(data[1]) << 8 | Int(data[2]))
        case 0x54 where data.count == 5:
            return .smpteOffset(hours: data[0], minutes: data[1], seconds: data[2], frames: data[3], subframes: data[4])
        case 0x58 where data.count == 4 && data[0] > 0 && data[1] <= 7:
            return .timeSignature(numerator: Int(data[0]), denominator: 1 << Int(data[1]),
                                  clocksPerClick: Int(data[2]), thirtySecondsPerQuarter: Int(data[3]))
        case 0x59 where data.count == 2 && (-7...7).contains(Int8(bitPattern: data[0])) && data[1] <= 1:
            return .keySignature(sharps: Int(Int8(bitPattern: data[0])), isMinor: data[1] == 1)
        default:
            return .other(type: type, data: data)
        }
    }

    /// What is wrong with a known meta event's payload that `decode` keeps as `.other`
    /// (or reads with a value no player can use), said as the warning; nil when it is sound.
    static func damage(type: UInt8, data: [UInt8]) -> String? {
        let expected: (name: String, bytes: Int)
        switch type {
        case 0x00 where !data.isEmpty: expected = ("sequence number", 2)  // an empty one is allowed
        case 0x20: expected = ("channel prefix", 1)
        case 0x2F: expected = ("end-of-track", 0)
        case 0x51: expected = ("tempo", 3)
        case 0x54: expected = ("SMPTE offset", 5)
        case 0x58: expected = ("time signature", 4)
        case 0x59: expected = ("key signature", 2)
        default: return nil
        }
        guard data.count == expected.bytes else {
            let what = type == 0x2F ? "read as an unknown event, the track goes on" : "ignored"
            return "\(expected.name) event with \(data.count) data byte\(data.count == 1 ? "" : "s") (it has \(expected.bytes)); \(what)"
        }
        switch decode(type: type, data: data) {
        case .other: return "\(expected.name) event with impossible values (\(data.map { String($0) }.joined(separator: " "))); ignored"
        case .tempo(microsecondsPerQuarter: 0): return "tempo of 0 microseconds per quarter note; read as 1"
        default: return nil
        }
    }

    /// Text is UTF-8 when the bytes are valid UTF-8, otherwise Latin-1 (what older
    /// sequencers wrote, e.g. "Krüger" in piano-midi.de copyright lines).
    static func decodeText(_ data: [UInt8]) -> String {
        if data.allSatisfy({ $0 < 0x80 }) { return String(decoding: data, as: UTF8.self) }
        let utf8 = String(decoding: data, as: UTF8.self)
        if utf8.utf8.elementsEqual(data) { return utf8 }
        return String(String.UnicodeScalarView(data.map { Unicode.Scalar($0) }))
    }
}
