// Untrusted input: every truncation of a fixture, random bytes, a WAV file, an empty
// file, lying lengths, bytes in the wrong place. Each must give a MIDIError naming the
// file and the right byte offset: never a crash, a hang or a huge allocation.
// (The time limit is a guard against hangs, not a performance check.)
import Foundation
import Testing
import TestSupport
@testable import MIDI

@Suite(.timeLimit(.minutes(2))) struct BadInputTests {
    func error(_ bytes: [UInt8], file: String = "bad.mid") -> MIDIError? {
        do { _ = try MIDIFile(bytes: bytes, fileName: file); return nil } catch let e as MIDIError { return e } catch { return nil }
    }

    @Test(arguments: [Fixture.chopin, Fixture.schumann, Fixture.bachPerformance])
    func everyTruncationIsAnError(fixture: Fixture) {
        let bytes = fixture.bytes
        var failures: [Int] = []
        for length in 0..<bytes.count {
            guard let e = error(Array(bytes[0..<length]), file: fixture.rawValue) else { failures.append(length); continue }
            if e.file != fixture.rawValue || (e.offset ?? -1) > length { failures.append(length) }
        }
        #expect(failures.isEmpty, "truncations read without a proper error: \(failures.prefix(10))")
    }

    @Test func randomBytesNeverCrash() {
        var rng = TestRandom(seed: 42)
        for trial in 0..<2000 {
            let count = Int.random(in: 0...600, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(error(bytes) != nil)
            // Random bytes behind a valid header and track chunk header reach the event parser.
            if trial % 2 == 0 {
                var file = SMFBytes.header(format: 0, tracks: 1)
                file.chunk("MTrk", bytes, length: UInt32(bytes.count))
                bytes = file.bytes
                _ = try? MIDIFile(bytes: bytes)  // may parse or throw a MIDIError, never crash
                if case .some(let e) = error(bytes) { #expect(e.offset != nil) }
            }
        }
    }

    @Test func mutatedFixturesNeverCrash() {
        var rng = TestRandom(seed: 7)
        let original = Fixture.chopin.bytes
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            do { _ = try MIDIFile(bytes: bytes) } catch { #expect(error is MIDIError) }
        }
    }

    @Test func emptyFile() {
        #expect(error([]) == .notMIDI(file: "bad.mid", offset: 0, found: "an empty file"))
        #expect(error([]).map { "\($0)" } == "bad.mid: not a standard MIDI file (byte 0: expected \"MThd\", found an empty file)")
    }

    @Test func wavFileIsNotMIDI() {
        // The 44-byte header of a PCM WAV file, then a little silence.
        var wav = Array("RIFF".utf8) + [0x2C, 0, 0, 0] + Array("WAVEfmt ".utf8)
        wav += [16, 0, 0, 0, 1, 0, 1, 0, 0x44, 0xAC, 0, 0, 0x88, 0x58, 0x01, 0, 2, 0, 16, 0]
        wav += Array("data".utf8) + [8, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
        guard case .notMIDI(_, 0, let found) = error(wav) else { Issue.record("expected notMIDI"); return }
        #expect(found.contains("RIFF"))
    }

    @Test func textFileIsNotMIDI() {
        #expect(error(Array("hello, world\n".utf8)) == .notMIDI(file: "bad.mid", offset: 0, found: "\"hell\""))
    }

    @Test func controlBytesInTheMagicAreEscaped() {
        let bytes: [UInt8] = [0x1B, 0x5B, 0x0A, 0x41, 0, 0, 0, 6]
        #expect(error(bytes) == .notMIDI(file: "bad.mid", offset: 0, found: "\"\\x1B[\\x0AA\""))
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.chunk("\u{1B}]0;", [0x00, 0xFF, 0x2F, 0x00], length: 0xFFFF)
        #expect(error(file.bytes) == .chunkPastEnd(file: "bad.mid", offset: 18, chunk: "\\x1B]0;", length: 0xFFFF, available: 4))
    }

    @Test func headerClaimingGigabytes() {
        let bytes = Array("MThd".utf8) + [0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0x01, 0xE0]
        #expect(error(bytes) == .chunkPastEnd(file: "bad.mid", offset: 4, chunk: "MThd", length: 0x7FFF_FFFF, available: 6))
    }

    @Test func trackChunkClaimingGigabytes() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.chunk("MTrk", [0x00, 0xFF, 0x2F, 0x00], length: 0xFFFF_FFFF)
        #expect(error(file.bytes) == .chunkPastEnd(file: "bad.mid", offset: 18, chunk: "MTrk", length: 0xFFFF_FFFF, available: 4))
        #expect(error(file.bytes).map { "\($0)" } == "bad.mid: byte 18: chunk \"MTrk\" claims 4294967295 bytes but only 4 remain; the file is truncated or corrupt")
    }

    @Test func unknownChunkWithLyingLength() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.chunk("JUNK", [1, 2, 3], length: 1_000_000)
        #expect(error(file.bytes) == .chunkPastEnd(file: "bad.mid", offset: 18, chunk: "JUNK", length: 1_000_000, available: 3))
    }

    @Test func sysexAndMetaLengthsPastTheirTrack() {
        var sysex = SMFBytes.header(format: 0, tracks: 1)
        sysex.track([0x00, 0xF0, 0xFF, 0xFF, 0xFF, 0x7F, 0x01, 0x02])  // sysex claiming 256 MB
        guard case .badEvent(_, 24, let reason) = error(sysex.bytes) else { Issue.record("expected badEvent at 24"); return }
        #expect(reason.contains("claims 268435455 bytes"))

        var meta = SMFBytes.header(format: 0, tracks: 1)
        meta.track([0x00, 0xFF, 0x03, 0x20, 0x41, 0x42])  // track name claiming 32 bytes
        guard case .badEvent(_, 25, _) = error(meta.bytes) else { Issue.record("expected badEvent at 25"); return }
    }

    @Test func dataByteWithoutRunningStatus() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x00, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00])
        #expect(error(file.bytes) == .missingStatus(file: "bad.mid", offset: 23, byte: 0x3C))
    }

    @Test func statusByteInsideChannelData() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x00, 0x90, 0x3C, 0x90, 0x00, 0xFF, 0x2F, 0x00])
        guard case .badEvent(_, 25, _) = error(file.bytes) else { Issue.record("expected badEvent at 25"); return }
    }

    @Test func systemRealTimeByteInATrack() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x00, 0xF8, 0x00, 0xFF, 0x2F, 0x00])
        guard case .badEvent(_, 23, _) = error(file.bytes) else { Issue.record("expected badEvent at 23"); return }
    }

    @Test func overlongDeltaTime() {
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track([0x80, 0x80, 0x80, 0x80, 0x00, 0xFF, 0x2F, 0x00])
        guard case .badEvent(_, 22, _) = error(file.bytes) else { Issue.record("expected badEvent at 22"); return }
    }

    @Test func eventCutByTheEndOfItsChunk() {
        var file = SMFBytes.header(format: 1, tracks: 2)
        file.track([0x00, 0x90, 0x3C])  // the velocity byte is missing
        file.track([0x00, 0xFF, 0x2F, 0x00])
        guard case .badEvent(_, 24, _) = error(file.bytes) else { Issue.record("expected badEvent at 24"); return }
    }

    @Test func badHeaders() {
        func header(_ body: [UInt8]) -> [UInt8] { Array("MThd".utf8) + [0, 0, 0, 6] + body }
        #expect(error(header([0, 3, 0, 1, 0x01, 0xE0])) == .badHeader(file: "bad.mid", offset: 8, reason: "format 3 (only 0, 1 and 2 exist)"))
        #expect(error(header([0, 0, 0, 2, 0x01, 0xE0])) == .badHeader(file: "bad.mid", offset: 10, reason: "format 0 with 2 tracks (it must have exactly one)"))
        #expect(error(header([0, 1, 0, 1, 0x00, 0x00])) == .badHeader(file: "bad.mid", offset: 12, reason: "zero ticks per quarter note"))
        guard case .badHeader(_, 12, _) = error(header([0, 1, 0, 1, 0xE6, 0x28])) else { Issue.record("expected badHeader: 26 fps"); return }
        guard case .badHeader(_, 13, _) = error(header([0, 1, 0, 1, 0xE7, 0x00])) else { Issue.record("expected badHeader: 0 ticks per frame"); return }
        #expect(error(Array("MThd".utf8) + [0, 0, 0, 2, 0, 1, 0, 1, 0x01, 0xE0]) == .badHeader(file: "bad.mid", offset: 4, reason: "header length 2, expected 6"))
    }

    @Test func headerPromisingMoreTracksThanTheFileHolds() {
        var file = SMFBytes.header(format: 1, tracks: 3)
        file.track([0x00, 0xFF, 0x2F, 0x00])
        #expect(error(file.bytes) == .missingTracks(file: "bad.mid", offset: 26, expected: 3, found: 1))
    }

    @Test func filesOnDisk() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/cadenza-test.mid")
        #expect(throws: MIDIError.io(file: "/nonexistent/cadenza-test.mid", reason: "no such file")) { try MIDIFile(contentsOf: missing) }
        let directory = Fixture.directory
        #expect(throws: MIDIError.io(file: directory.path, reason: "is a directory, not a MIDI file")) { try MIDIFile(contentsOf: directory) }
        // A symbolic link to a MIDI file is fine.
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-link-\(UUID().uuidString).mid")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: Fixture.chopin.url)
        defer { try? FileManager.default.removeItem(at: link) }
        #expect(try MIDIFile(contentsOf: link).noteOnCount == 167)
        // A device that never ends must not be read into memory.
        #expect(throws: MIDIError.io(file: "/dev/zero", reason: "is not a regular file")) { try MIDIFile(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
    }
}
