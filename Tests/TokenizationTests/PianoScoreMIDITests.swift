// PianoScore(midi:) and midiFile(): sustain pedal, overlapping same-pitch notes, the
// drum channel, SMPTE timing, and the written file read back identically.
import MIDI
import Testing
@testable import Tokenization

@Suite struct PianoScoreMIDITests {
    func on(_ t: Int, _ key: UInt8, channel: UInt8 = 0, velocity: UInt8 = 80) -> TimedEvent {
        TimedEvent(ticks: t, event: .channel(.noteOn(channel: channel, key: key, velocity: velocity)))
    }
    func off(_ t: Int, _ key: UInt8, channel: UInt8 = 0) -> TimedEvent {
        TimedEvent(ticks: t, event: .channel(.noteOff(channel: channel, key: key, velocity: 0)))
    }
    func pedal(_ t: Int, _ value: UInt8, channel: UInt8 = 0) -> TimedEvent {
        TimedEvent(ticks: t, event: .channel(.controlChange(channel: channel, controller: 64, value: value)))
    }
    func notes(_ score: PianoScore) -> [[Int]] { score.notes.map { [$0.pitch, $0.onsetTicks, $0.durationTicks] } }

    @Test func sustainPedalLengthensReleasedNotes() {
        // The pedal is on its own track and channel, as in many piano-midi.de files.
        let file = MIDIFile(tracks: [
            MIDITrack(events: [on(0, 60), off(200, 60), on(300, 62), off(350, 62),
                               on(400, 60), off(450, 60), on(600, 64), off(700, 64),
                               on(800, 65), off(1000, 65)]),
            MIDITrack(events: [pedal(100, 127, channel: 1), pedal(500, 0, channel: 1), pedal(900, 100, channel: 1),
                               pedal(950, 10, channel: 1)]),
        ])
        #expect(notes(PianoScore(midi: file)) == [
            [60, 0, 400],    // released under the pedal, cut when struck again
            [62, 300, 200],  // lasts until the pedal lifts
            [60, 400, 100],
            [64, 600, 100],  // pedal up: as played
            [65, 800, 200],  // held past a short pedal: its own release
        ])
    }

    @Test func overlappingSamePitchNotesAndTheDrumChannel() {
        let file = MIDIFile(tracks: [
            MIDITrack(events: [on(0, 60), off(200, 60), on(0, 36, channel: 9), off(100, 36, channel: 9)]),
            MIDITrack(events: [on(100, 60, channel: 1), off(300, 60, channel: 1),
                               on(400, 62, velocity: 0), on(500, 62), on(500, 62), off(600, 62)]),
        ])
        #expect(notes(PianoScore(midi: file)) == [[60, 0, 100], [60, 100, 200], [62, 500, 100]])
    }

    @Test func smpteTimingBecomesATickGrid() {
        let file = MIDIFile(format: 0, division: .smpte(framesPerSecond: 25, ticksPerFrame: 40),
                            tracks: [MIDITrack(events: [on(1000, 60), off(1500, 60)])])
        let score = PianoScore(midi: file)
        #expect(score.ticksPerQuarter == 480)
        #expect(notes(score) == [[60, 960, 480]])
        #expect(abs(score.tempoMap.seconds(atTicks: 960) - 1.0) < 1e-9)
    }

    @Test func conductorEventsAndTheWrittenFile() throws {
        let file = MIDIFile(division: .ticksPerQuarter(240), tracks: [
            MIDITrack(events: [
                TimedEvent(ticks: 0, event: .meta(.tempo(microsecondsPerQuarter: 600_000))),
                TimedEvent(ticks: 0, event: .meta(.timeSignature(numerator: 6, denominator: 8, clocksPerClick: 36, thirtySecondsPerQuarter: 8))),
                TimedEvent(ticks: 0, event: .meta(.keySignature(sharps: -2, isMinor: true))),
                TimedEvent(ticks: 720, event: .meta(.tempo(microsecondsPerQuarter: 500_000))),
            ]),
            MIDITrack(events: [on(0, 60), on(0, 64), off(240, 60), off(720, 64), on(720, 67), off(800, 67)]),
        ])
        let score = PianoScore(midi: file)
        #expect(score.ticksPerQuarter == 240)
        #expect(score.tempoChanges.map(\.microsecondsPerQuarter) == [600_000, 500_000])
        #expect(score.timeSignatures == [TimeSignatureChange(ticks: 0, numerator: 6, denominator: 8)])
        #expect(score.keySignatures == [KeySignatureChange(ticks: 0, sharps: -2, isMinor: true)])

        let written = score.midiFile()
        #expect(written.format == 1 && written.division == .ticksPerQuarter(480) && written.tracks.count == 2)
        #expect(written.tracks[1].events.contains { $0.event == .channel(.programChange(channel: 0, program: 0)) })
        let reread = PianoScore(midi: try MIDIFile(bytes: written.encoded(), fileName: "written.mid"))
        #expect(notes(reread) == [[60, 0, 480], [64, 0, 1440], [67, 1440, 160]])
        #expect(reread.tempoChanges == [TempoChange(ticks: 0, microsecondsPerQuarter: 600_000),
                                        TempoChange(ticks: 1440, microsecondsPerQuarter: 500_000)])
        #expect(reread.timeSignatures == [TimeSignatureChange(ticks: 0, numerator: 6, denominator: 8)])
        #expect(reread.keySignatures == score.keySignatures)
    }

    @Test func writerShortensANoteThatOverlapsItsNextStrike() throws {
        let score = PianoScore(notes: [ScoreNote(pitch: 60, velocity: 64, onsetTicks: 0, durationTicks: 960),
                                       ScoreNote(pitch: 60, velocity: 64, onsetTicks: 480, durationTicks: 480)])
        let reread = PianoScore(midi: try MIDIFile(bytes: score.midiFile().encoded()))
        #expect(notes(reread) == [[60, 0, 480], [60, 480, 480]])
    }
}
