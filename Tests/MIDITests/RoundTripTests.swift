// Writing: read → write → read gives the same events for every fixture; the format 1
// and format 0 builders; running status and note-off encoding; atomic file writes.
import Foundation
import Testing
@testable import MIDI

@Suite struct RoundTripTests {
    @Test(arguments: Fixture.allCases)
    func readWriteReadKeepsEveryEvent(fixture: Fixture) throws {
        let original = try fixture.read()
        let encoded = original.encoded()
        let again = try MIDIFile(bytes: encoded)
        #expect(again == original)
        // Encoding is deterministic and stable: writing the re-read file gives the same bytes.
        #expect(again.encoded() == encoded)
    }

    @Test(arguments: [Fixture.chopin, Fixture.schumann])
    func pianoMidiScoresAreReproducedByteForByte(fixture: Fixture) throws {
        // These files use Latin-1-free text, running status and note-on velocity 0, as the writer does.
        let bytes = fixture.bytes
        #expect(try MIDIFile(bytes: bytes).encoded() == bytes)
    }

    @Test func formatZeroMergeKeepsTheNotesAndTheirTimes() throws {
        let original = try Fixture.schumann.read()
        let merged = try MIDIFile(bytes: original.mergedToFormat0().encoded())
        #expect(merged.format == 0)
        #expect(merged.tracks.count == 1)
        func notes(_ m: MIDIFile) -> [TimedEvent] {
            m.tracks.flatMap(\.events).filter { if case .channel = $0.event { return true } else { return false } }
                .sorted { ($0.ticks, "\($0.event)") < ($1.ticks, "\($1.event)") }
        }
        #expect(notes(merged) == notes(original))
        #expect(merged.tempoChanges == original.tempoChanges)
        #expect(abs(merged.durationSeconds - original.durationSeconds) < 1e-9)
    }

    @Test func formatOneBuilderWritesAConductorTrackAndOneTrackPerPart() throws {
        let right = MIDIPart(name: "Right hand", events: [
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 72, velocity: 80))),
            TimedEvent(ticks: 480, event: .channel(.noteOff(channel: 0, key: 72, velocity: 0))),
            // A repeated note: its on at 480 must come after the previous off at 480.
            TimedEvent(ticks: 480, event: .channel(.noteOn(channel: 0, key: 72, velocity: 70))),
            TimedEvent(ticks: 480, event: .channel(.noteOff(channel: 0, key: 72, velocity: 0))),
            TimedEvent(ticks: 960, event: .channel(.noteOff(channel: 0, key: 72, velocity: 0))),
        ])
        let left = MIDIPart(name: "Left hand", channel: 1, events: [
            TimedEvent(ticks: 0, event: .channel(.controlChange(channel: 1, controller: 64, value: 127))),
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 1, key: 48, velocity: 60))),
            TimedEvent(ticks: 1920, event: .channel(.noteOff(channel: 1, key: 48, velocity: 0))),
        ])
        let file = MIDIFile.format1(title: "Test", tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 90), TempoChange(ticks: 960, beatsPerMinute: 60)],
                                    timeSignatures: [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4)],
                                    keySignatures: [KeySignatureChange(ticks: 0, sharps: -1, isMinor: true)],
                                    parts: [right, left])
        let read = try MIDIFile(bytes: file.encoded())
        #expect(read == file)
        #expect(read.format == 1 && read.division == .ticksPerQuarter(480))
        #expect(read.tracks.map(\.name) == ["Test", "Right hand", "Left hand"])
        #expect(read.tracks[0].events.map(\.event) == [
            .meta(.trackName("Test")),
            .meta(.timeSignature(numerator: 3, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8)),
            .meta(.keySignature(sharps: -1, isMinor: true)),
            .meta(.tempo(microsecondsPerQuarter: 666_667)),
            .meta(.tempo(microsecondsPerQuarter: 1_000_000)),
            .meta(.endOfTrack),
        ])
        #expect(read.tracks[1].events[1].event == .channel(.programChange(channel: 0, program: 0)))
        #expect(read.tracks[2].events[1].event == .channel(.programChange(channel: 1, program: 0)))
        let rightAt480 = read.tracks[1].events.filter { $0.ticks == 480 }.map(\.event)
        #expect(rightAt480 == [.channel(.noteOff(channel: 0, key: 72, velocity: 0)), .channel(.noteOff(channel: 0, key: 72, velocity: 0)),
                               .channel(.noteOn(channel: 0, key: 72, velocity: 70))])
        // Every track ends together, at the last event of any track.
        #expect(read.tracks.map { $0.events.last!.ticks } == [1920, 1920, 1920])
        #expect(abs(read.durationSeconds - (2 * 0.666667 + 2 * 1.0)) < 1e-6)
    }

    @Test func writerUsesRunningStatusAndRestatesItAfterMetaEvents() {
        let track = MIDITrack(events: [
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 60, velocity: 64))),
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 64, velocity: 64))),
            TimedEvent(ticks: 10, event: .meta(.marker("x"))),
            TimedEvent(ticks: 10, event: .channel(.noteOff(channel: 0, key: 60, velocity: 0))),
            TimedEvent(ticks: 20, event: .channel(.noteOff(channel: 0, key: 64, velocity: 40))),
            TimedEvent(ticks: 20, event: .meta(.endOfTrack)),
        ])
        let bytes = MIDIFile(format: 0, tracks: [track]).encoded()
        #expect(Array(bytes[22...]) == [
            0x00, 0x90, 0x3C, 0x40,
            0x00, 0x40, 0x40,               // running status
            0x0A, 0xFF, 0x06, 0x01, 0x78,   // marker
            0x00, 0x90, 0x3C, 0x00,         // status restated; note-off v0 as note-on v0
            0x0A, 0x80, 0x40, 0x28,         // a note-off with a release velocity stays 0x80
            0x00, 0xFF, 0x2F, 0x00,
        ])
    }

    @Test func writerSortsEventsAndAddsAMissingEndOfTrack() throws {
        let track = MIDITrack(events: [
            TimedEvent(ticks: 100, event: .channel(.noteOff(channel: 0, key: 60, velocity: 0))),
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 60, velocity: 64))),
        ])
        let read = try MIDIFile(bytes: MIDIFile(format: 0, tracks: [track]).encoded())
        #expect(read.tracks[0].events == [
            TimedEvent(ticks: 0, event: .channel(.noteOn(channel: 0, key: 60, velocity: 64))),
            TimedEvent(ticks: 100, event: .channel(.noteOff(channel: 0, key: 60, velocity: 0))),
            TimedEvent(ticks: 100, event: .meta(.endOfTrack)),
        ])
    }

    @Test func smpteFormatTwoAndSysexRoundTrip() throws {
        let file = MIDIFile(format: 2, division: .smpte(framesPerSecond: 29, ticksPerFrame: 80), tracks: [
            MIDITrack(events: [TimedEvent(ticks: 5, event: .sysex(bytes: [0x7E, 0x7F, 0x09, 0x01, 0xF7], escape: false)),
                               TimedEvent(ticks: 6, event: .sysex(bytes: [0xF8], escape: true)),
                               TimedEvent(ticks: 6, event: .channel(.pitchBend(channel: 15, value: 0))),
                               TimedEvent(ticks: 9, event: .meta(.endOfTrack))]),
            MIDITrack(events: [TimedEvent(ticks: 0, event: .meta(.text("ünïcödé ♩"))),
                               TimedEvent(ticks: 0, event: .meta(.endOfTrack))]),
        ])
        #expect(try MIDIFile(bytes: file.encoded()) == file)
    }

    @Test func textIsWrittenSoThatItReadsBackTheSame() throws {
        // Latin-1 where it round-trips, UTF-8 where Latin-1 bytes would look like UTF-8.
        for text in ["plain", "Krüger ©", "Ã©", "Â", "ünïcödé ♩", ""] {
            let file = MIDIFile(format: 0, tracks: [MIDITrack(events: [TimedEvent(ticks: 0, event: .meta(.copyright(text))),
                                                                       TimedEvent(ticks: 0, event: .meta(.endOfTrack))])])
            #expect(try MIDIFile(bytes: file.encoded()) == file, "\(text)")
        }
        #expect(MetaEvent.encodeText("Krüger") == [0x4B, 0x72, 0xFC, 0x67, 0x65, 0x72])
        #expect(MetaEvent.encodeText("Ã©") == [0xC3, 0x83, 0xC2, 0xA9])
    }

    @Test func meaninglessValuesAreWrittenAsRead() throws {
        // Found by the fuzzer: a tempo of 0 microseconds must survive read -> write -> read.
        let file = MIDIFile(format: 0, tracks: [MIDITrack(events: [TimedEvent(ticks: 0, event: .meta(.tempo(microsecondsPerQuarter: 0))),
                                                                   TimedEvent(ticks: 1, event: .meta(.endOfTrack))])])
        #expect(try MIDIFile(bytes: file.encoded()) == file)
        #expect(file.durationSeconds.isFinite)
    }

    @Test func writeToDiskIsAtomicAndReadable() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-midi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.mid")
        let midi = try Fixture.debussy.read()
        try midi.write(to: url)
        #expect(try MIDIFile(contentsOf: url) == midi)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.mid"])  // no temp file left
        let unwritable = directory.appendingPathComponent("no/such/folder/out.mid")
        #expect(throws: MIDIError.self) { try midi.write(to: unwritable) }
    }
}
