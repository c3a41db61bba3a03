// Files the tests build byte by byte for what the fixtures do not show: format 0 and 2,
// SMPTE division, running status (also resumed after a meta event), every channel
// message, sysex in F0 and F7 form, overlapping notes of one pitch, zero-length notes,
// unknown chunks, a track without end-of-track, bytes after the last track.
import Testing
@testable import MIDI

@Suite struct EdgeCaseReadingTests {
    @Test func formatZeroWithRunningStatusAndNoteOnVelocityZero() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([
            0x00, 0x90, 0x3C, 0x40,  // note on C4
            0x60, 0x40, 0x50,        // running status: note on E4
            0x60, 0x3C, 0x00,        // running status: velocity 0 = note off C4
            0x00, 0x40, 0x00,        // note off E4
            0x00, 0xFF, 0x2F, 0x00,  // end of track
        ])
        let midi = try MIDIFile(bytes: file.bytes)
        #expect(midi.format == 0)
        #expect(midi.tracks[0].events == [
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 60, velocity: 64))),
            TimedEvent(ticks: 96, event: .channel(.noteOn(channel: 0, key: 64, velocity: 80))),
            TimedEvent(ticks: 192, event: .channel(.noteOff(channel: 0, key: 60, velocity: 0))),
            TimedEvent(ticks: 192, event: .channel(.noteOff(channel: 0, key: 64, velocity: 0))),
            TimedEvent(ticks: 192, event: .meta(.endOfTrack)),
        ])
    }

    @Test func runningStatusResumesAfterMetaAndSysexEvents() throws {
        // The spec says meta and sysex cancel running status; real files and mido resume
        // the last channel status anyway, and so does this reader.
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([
            0x00, 0x91, 0x3C, 0x40,              // note on, channel 2
            0x00, 0xFF, 0x06, 0x01, 0x41,        // marker "A"
            0x10, 0x3C, 0x00,                    // running status after a meta event
            0x00, 0xF0, 0x02, 0x7E, 0xF7,        // sysex
            0x00, 0x3E, 0x20,                    // running status after a sysex
            0x00, 0xFF, 0x2F, 0x00,
        ])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events.map(\.event)
        #expect(events == [
            .channel(.noteOn(channel: 1, key: 60, velocity: 64)),
            .meta(.marker("A")),
            .channel(.noteOff(channel: 1, key: 60, velocity: 0)),
            .sysex(bytes: [0x7E, 0xF7], escape: false),
            .channel(.noteOn(channel: 1, key: 62, velocity: 32)),
            .meta(.endOfTrack),
        ])
    }

    @Test func everyChannelMessageKind() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([
            0x00, 0x85, 0x3C, 0x22,        // note off with release velocity, channel 6
            0x00, 0x9F, 0x15, 0x7F,        // note on A0, channel 16
            0x00, 0xA1, 0x15, 0x10,        // polyphonic pressure
            0x00, 0xB0, 0x40, 0x7F,        // sustain pedal down
            0x00, 0xC0, 0x00,              // program change (one data byte)
            0x00, 0xD2, 0x33,              // channel pressure (one data byte)
            0x00, 0xE3, 0x00, 0x40,        // pitch bend centre (LSB first)
            0x00, 0xE3, 0x7F, 0x7F,        // pitch bend maximum
            0x00, 0xFF, 0x2F, 0x00,
        ])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events.map(\.event)
        #expect(events == [
            .channel(.noteOff(channel: 5, key: 60, velocity: 0x22)),
            .channel(.noteOn(channel: 15, key: 21, velocity: 127)),
            .channel(.polyphonicPressure(channel: 1, key: 21, pressure: 16)),
            .channel(.controlChange(channel: 0, controller: 64, value: 127)),
            .channel(.programChange(channel: 0, program: 0)),
            .channel(.channelPressure(channel: 2, pressure: 0x33)),
            .channel(.pitchBend(channel: 3, value: 8192)),
            .channel(.pitchBend(channel: 3, value: 16383)),
            .meta(.endOfTrack),
        ])
    }

    @Test func metaEventsAreDecodedAndUnknownOnesKeptRaw() throws {
        var file = SMFBytes.header(format: 1, tracks: 1)
        file.track([
            0x00, 0xFF, 0x00, 0x02, 0x00, 0x07,                    // sequence number 7
            0x00, 0xFF, 0x03, 0x04] + Array("Lead".utf8) + [      // track name
            0x00, 0xFF, 0x20, 0x01, 0x09,                          // channel prefix 10
            0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,              // 500000 us per quarter
            0x00, 0xFF, 0x54, 0x05, 0x60, 0x00, 0x03, 0x00, 0x00,  // SMPTE offset
            0x00, 0xFF, 0x58, 0x04, 0x06, 0x03, 0x24, 0x08,        // 6/8
            0x00, 0xFF, 0x59, 0x02, 0xFD, 0x01,                    // 3 flats, minor
            0x00, 0xFF, 0x7F, 0x03, 0x43, 0x7B, 0x00,              // sequencer specific
            0x00, 0xFF, 0x58, 0x04, 0x03, 0x1F, 0x18, 0x08,        // impossible denominator: kept raw
            0x00, 0xFF, 0x51, 0x02, 0x07, 0xA1,                    // tempo of the wrong length: kept raw
            0x00, 0xFF, 0x2F, 0x00,
        ])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events.map(\.event)
        #expect(events == [
            .meta(.sequenceNumber(7)),
            .meta(.trackName("Lead")),
            .meta(.channelPrefix(9)),
            .meta(.tempo(microsecondsPerQuarter: 500_000)),
            .meta(.smpteOffset(hours: 0x60, minutes: 0, seconds: 3, frames: 0, subframes: 0)),
            .meta(.timeSignature(numerator: 6, denominator: 8, clocksPerClick: 36, thirtySecondsPerQuarter: 8)),
            .meta(.keySignature(sharps: -3, isMinor: true)),
            .meta(.other(type: 0x7F, data: [0x43, 0x7B, 0x00])),
            .meta(.other(type: 0x58, data: [0x03, 0x1F, 0x18, 0x08])),
            .meta(.other(type: 0x51, data: [0x07, 0xA1])),
            .meta(.endOfTrack),
        ])
    }

    @Test func sysexInBothForms() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([
            0x00, 0xF0, 0x03, 0x43, 0x12, 0x00,       // first packet, no closing F7
            0x10, 0xF7, 0x02, 0x07, 0xF7,             // continuation packet
            0x00, 0xF7, 0x01, 0xFA,                   // escape: a real-time "start"
            0x00, 0xFF, 0x2F, 0x00,
        ])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events.map(\.event)
        #expect(events == [
            .sysex(bytes: [0x43, 0x12, 0x00], escape: false),
            .sysex(bytes: [0x07, 0xF7], escape: true),
            .sysex(bytes: [0xFA], escape: true),
            .meta(.endOfTrack),
        ])
    }

    @Test func formatTwoKeepsIndependentSequences() throws {
        var file = SMFBytes.header(format: 2, tracks: 2)
        file.track([0x00, 0x90, 0x3C, 0x40, 0x83, 0x60, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        file.track([0x00, 0x90, 0x43, 0x40, 0x81, 0x40, 0x43, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        let midi = try MIDIFile(bytes: file.bytes)
        #expect(midi.format == 2)
        #expect(midi.tracks.count == 2)
        #expect(midi.tracks.map { $0.events.last!.ticks } == [480, 192])
    }

    @Test func smpteDivisionGivesAFixedTickLength() throws {
        // 25 frames per second (0xE7 = -25), 40 ticks per frame: one tick is one millisecond.
        var file = SMFBytes.header(format: 0, tracks: 1, division: [0xE7, 0x28])
        file.track([0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,  // a tempo event: ignored under SMPTE
                    0x00, 0x90, 0x3C, 0x40, 0x87, 0x68, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        let midi = try MIDIFile(bytes: file.bytes)
        #expect(midi.division == .smpte(framesPerSecond: 25, ticksPerFrame: 40))
        #expect(abs(midi.tempoMap().seconds(atTicks: 1000) - 1.0) < 1e-12)
        #expect(abs(midi.durationSeconds - 1.0) < 1e-12)
        // 29 means 29.97 drop-frame.
        var drop = SMFBytes.header(format: 0, tracks: 1, division: [0xE3, 0x64])
        drop.track([0x00, 0xFF, 0x2F, 0x00])
        let dropFrame = try MIDIFile(bytes: drop.bytes)
        #expect(dropFrame.division == .smpte(framesPerSecond: 29, ticksPerFrame: 100))
        #expect(abs(dropFrame.tempoMap().seconds(atTicks: 3000) - 1.001) < 1e-12)
    }

    @Test func overlappingNotesOfOnePitchAndZeroLengthNotesAreKeptAsWritten() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([
            0x00, 0x90, 0x3C, 0x40,   // C4 on
            0x60, 0x90, 0x3C, 0x50,   // C4 on again while still sounding
            0x60, 0x80, 0x3C, 0x00,   // first off
            0x60, 0x80, 0x3C, 0x00,   // second off
            0x00, 0x90, 0x40, 0x40,   // E4 on and off at the same tick: zero length
            0x00, 0x40, 0x00,
            0x00, 0xFF, 0x2F, 0x00,
        ])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events
        #expect(events.map(\.ticks) == [0, 96, 192, 288, 288, 288, 288])
        #expect(events.filter { if case .channel(.noteOn(_, 60, _)) = $0.event { return true } else { return false } }.count == 2)
        #expect(events[4].event == .channel(.noteOn(channel: 0, key: 64, velocity: 64)))
        #expect(events[5].event == .channel(.noteOff(channel: 0, key: 64, velocity: 0)))
    }

    @Test func unknownChunksAreSkippedAndTrailingBytesIgnored() throws {
        var file = SMFBytes.header(format: 1, tracks: 2)
        file.chunk("XFIH", [1, 2, 3, 4, 5])
        file.track([0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x00, 0xFF, 0x2F, 0x00])
        file.chunk("XFKM", [])
        file.track([0x00, 0x90, 0x3C, 0x40, 0x60, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        file.bytes += [0, 0, 0]  // padding some tools add
        let midi = try MIDIFile(bytes: file.bytes)
        #expect(midi.tracks.count == 2)
        #expect(midi.noteOnCount == 1)
    }

    @Test func longerHeaderIsAcceptedAndItsExtraBytesSkipped() throws {
        var bytes = Array("MThd".utf8) + [0, 0, 0, 8, 0, 0, 0, 1, 0x01, 0xE0, 0xAA, 0xBB]
        var track = SMFBytes()
        track.track([0x00, 0x90, 0x3C, 0x40, 0x60, 0x3C, 0x00, 0x00, 0xFF, 0x2F, 0x00])
        bytes += track.bytes
        #expect(try MIDIFile(bytes: bytes).noteOnCount == 1)
    }

    @Test func trackWithoutEndOfTrackGetsOneAtItsLastTick() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x00, 0x90, 0x3C, 0x40, 0x60, 0x3C, 0x00])
        let events = try MIDIFile(bytes: file.bytes).tracks[0].events
        #expect(events.last == TimedEvent(ticks: 96, event: .meta(.endOfTrack)))
        #expect(events.count == 3)
    }

    @Test func eventsAfterEndOfTrackInsideTheChunkAreIgnored() throws {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x00, 0xFF, 0x2F, 0x00, 0x00, 0x90, 0x3C, 0x40])
        #expect(try MIDIFile(bytes: file.bytes).tracks[0].events == [TimedEvent(ticks: 0, event: .meta(.endOfTrack))])
    }

    @Test func largestDeltaTimeIsRead() throws {
        // At 32767 ticks per quarter the largest delta is 2,048 bars, inside PieceLimits.
        var file = SMFBytes.header(format: 0, tracks: 1, division: [0x7F, 0xFF])
        file.track([0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x2F, 0x00])
        #expect(try MIDIFile(bytes: file.bytes).tracks[0].events[0].ticks == 0x0FFF_FFFF)
    }
}
