// FileSummary (what `cadenza info` shows): bars from time signatures, tempo, keys,
// channels, pitch range and pedal, checked on fixtures and on hand-built files.
import Foundation
import Testing
@testable import MIDI

@Suite struct FileSummaryTests {
    func summary(_ fixture: Fixture) throws -> FileSummary {
        FileSummary(try fixture.read(), file: fixture.rawValue, bytes: fixture.bytes.count)
    }

    @Test func chopinPreludeInThreeFour() throws {
        let s = try summary(.chopin)
        #expect(s.format == 1 && s.ticksPerQuarter == 480 && s.tracks.count == 9)
        #expect(s.notes == 167 && s.notesPerChannel == ["1": 167])
        #expect(s.tracks[1].name == "Piano right" && s.tracks[1].notes + s.tracks[2].notes == 167)
        #expect(s.timeSignatures == [FileSummary.Signature(ticks: 0, bar: 1, value: "3/4")])
        #expect(s.keySignatures.map(\.value) == ["A major"])
        #expect(s.tempoChanges == 33)
        #expect(abs(s.initialBeatsPerMinute - 60_000_000.0 / 591_424) < 1e-9)
        // 24000 ticks of 3/4 at 480 per quarter: 16 whole bars and a part of a 17th.
        #expect(s.durationBars == 17)
        #expect(abs(s.durationSeconds - 37.028) < 0.001)
        #expect(s.lowestPitch == 33 && s.highestPitch == 85)
        #expect(s.sustainPedalUsed)
    }

    @Test func timeSignatureChangesGiveBarNumbers() throws {
        let s = try summary(.schumann)
        // 4/4 for 11 bars (21120 ticks), 5/4 for two bars (4800), then 4/4 again.
        #expect(s.timeSignatures == [.init(ticks: 0, bar: 1, value: "4/4"), .init(ticks: 21120, bar: 12, value: "5/4"),
                                     .init(ticks: 25920, bar: 14, value: "4/4")])
        // The file ends at tick 56374: 14 bars + (56374 - 25920) / 1920 = 15.86 more, so 29 bars begin.
        #expect(s.durationBars == 29)
    }

    @Test func performanceWithChannelTenSetUpAndSysex() throws {
        let s = try summary(.schumannPerformance)
        #expect(s.format == 0 && s.ticksPerQuarter == 384)
        #expect(s.notesPerChannel == ["1": 712])  // channel 10 has control changes but no notes
        #expect(s.sysexEvents == 4)
        #expect(s.keySignatures.isEmpty)
        #expect(s.tempoChanges == 1)
    }

    @Test func emptyFileDefaults() {
        let s = FileSummary(MIDIFile(format: 0, tracks: [MIDITrack(events: [TimedEvent(ticks: 0, event: .meta(.endOfTrack))])]),
                            file: "empty.mid", bytes: 0)
        #expect(s.notes == 0 && s.lowestPitch == nil && s.highestPitch == nil)
        #expect(s.initialBeatsPerMinute == 120)
        #expect(s.durationBars == 0 && s.durationSeconds == 0)
        #expect(!s.sustainPedalUsed)
        #expect(s.report().contains("pitch range: no notes"))
        #expect(s.report().contains("time:        none (4/4 assumed)"))
    }

    @Test func pedalPressesCountDownStrokesPerChannelNotRepeatedValues() {
        let events: [TimedEvent] = [
            .init(ticks: 0, event: .channel(.controlChange(channel: 0, controller: 64, value: 100))),
            .init(ticks: 10, event: .channel(.controlChange(channel: 0, controller: 64, value: 127))),  // still down
            .init(ticks: 20, event: .channel(.controlChange(channel: 0, controller: 64, value: 0))),
            .init(ticks: 30, event: .channel(.controlChange(channel: 0, controller: 64, value: 64))),
            .init(ticks: 30, event: .channel(.controlChange(channel: 1, controller: 64, value: 127))),
            .init(ticks: 40, event: .channel(.controlChange(channel: 0, controller: 67, value: 127))),  // soft pedal
            .init(ticks: 40, event: .meta(.endOfTrack)),
        ]
        let s = FileSummary(MIDIFile(format: 0, tracks: [MIDITrack(events: events)]), file: "p.mid", bytes: 0)
        #expect(s.sustainPedalPresses == 3)
    }

    @Test func smpteFilesHaveNoBars() {
        let file = MIDIFile(format: 0, division: .smpte(framesPerSecond: 25, ticksPerFrame: 40),
                            tracks: [MIDITrack(events: [TimedEvent(ticks: 2500, event: .meta(.endOfTrack))])])
        let s = FileSummary(file, file: "smpte.mid", bytes: 0)
        #expect(s.durationBars == nil && s.ticksPerQuarter == nil)
        #expect(abs(s.durationSeconds - 2.5) < 1e-12)
        #expect(s.division == "SMPTE 25 fps, 40 ticks per frame")
        #expect(s.report().contains("2.5 s (SMPTE timing: no bars)"))
    }

    @Test func namesOfKeysAndPitches() {
        #expect(FileSummary.keyName(sharps: 0, isMinor: false) == "C major")
        #expect(FileSummary.keyName(sharps: -5, isMinor: false) == "Db major")
        #expect(FileSummary.keyName(sharps: 3, isMinor: true) == "F# minor")
        #expect(FileSummary.keyName(sharps: -7, isMinor: true) == "Ab minor")
        #expect(FileSummary.pitchName(60) == "C4")
        #expect(FileSummary.pitchName(21) == "A0")
        #expect(FileSummary.pitchName(108) == "C8")
        #expect(FileSummary.pitchName(0) == "C-1")
    }

    @Test func jsonRoundTripsAndHasTheDocumentedKeys() throws {
        let s = try summary(.borodin)
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(FileSummary.self, from: data) == s)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(Set(object.keys) == ["file", "bytes", "format", "division", "ticksPerQuarter", "tracks", "notes", "notesPerChannel",
                                     "initialBeatsPerMinute", "tempoChanges", "timeSignatures", "keySignatures", "durationSeconds",
                                     "durationBars", "lowestPitch", "highestPitch", "sustainPedalPresses", "sustainPedalUsed", "sysexEvents"])
        #expect(object["sustainPedalUsed"] as? Bool == true)
    }

    @Test func textReportLines() throws {
        let report = try summary(.borodin).report()
        #expect(report.hasPrefix("bor_ps5.mid\n  format:      1, 480 ticks per quarter, 9 tracks, 4630 bytes\n"))
        #expect(report.contains("\n  time:        4/4 (bar 1), 9/4 (bar 25)\n"))
        #expect(report.contains("\n  key:         Db major\n"))
        #expect(report.contains("\n  pitch range: G#1 (32) to G#5 (80)\n"))
    }

    @Test func formattedNumbers() {
        #expect(formatted(37.028, places: 1) == "37.0")
        #expect(formatted(0.05, places: 1) == "0.1")
        #expect(formatted(-2.25, places: 2) == "-2.25")
        #expect(formatted(99.96, places: 1) == "100.0")
    }
}
