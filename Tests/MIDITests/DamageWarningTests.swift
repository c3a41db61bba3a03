// Damaged but readable files: the reader reads past the damage and says what it did, the
// way FluidSynth and mido warn, instead of ignoring it without a word.
import Foundation
import Testing
@testable import MIDI

@Suite struct DamageWarningTests {
    func reading(_ track: [UInt8]) throws -> MIDIFile.Reading {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track(track)
        return try MIDIFile.read(bytes: file.bytes, fileName: "damaged.mid")
    }

    @Test func aZeroLengthTempoIsIgnoredWithAWarning() throws {
        let r = try reading([0x00, 0xFF, 0x51, 0x00, 0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00])
        #expect(r.warnings == [MIDIWarning(file: "damaged.mid", offset: 23, message: "tempo event with 0 data bytes (it has 3); ignored")])
        #expect(r.warnings[0].description == "damaged.mid: byte 23: tempo event with 0 data bytes (it has 3); ignored")
        #expect(r.file.tempoChanges.isEmpty)
        #expect(r.file.tracks[0].events[0].event == .meta(.other(type: 0x51, data: [])))
    }

    @Test func everyMalformedKnownMetaEventIsReported() throws {
        let r = try reading([
            0x00, 0xFF, 0x58, 0x02, 0x03, 0x02,              // time signature of 2 bytes
            0x00, 0xFF, 0x59, 0x02, 0x09, 0x00,              // key signature with 9 sharps
            0x00, 0xFF, 0x51, 0x03, 0x00, 0x00, 0x00,        // tempo 0
            0x00, 0xFF, 0x00, 0x00,                          // empty sequence number: allowed
            0x00, 0xFF, 0x2F, 0x00,
        ])
        #expect(r.warnings.map(\.message) == [
            "time signature event with 2 data bytes (it has 4); ignored",
            "key signature event with impossible values (9 0); ignored",
            "tempo of 0 microseconds per quarter note; read as 1",
        ])
        #expect(r.warnings.map(\.offset) == [23, 29, 35])
    }

    @Test func soundFilesHaveNoWarnings() throws {
        for fixture in Fixture.allCases {
            #expect(try MIDIFile.read(contentsOf: fixture.url).warnings.isEmpty, "\(fixture)")
        }
    }

    @Test func aFIFOIsNotReadAsAMIDIFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-fifo-\(UUID().uuidString).mid").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(throws: MIDIError.io(file: path, reason: "is not a regular file")) { try MIDIFile(contentsOf: URL(fileURLWithPath: path)) }
    }
}
