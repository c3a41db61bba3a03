// Reading the committed corpus fixtures: the header, every track's event count, note
// counts, durations and pitch ranges agree with what mido reports for the same files.
import Foundation
import Testing
@testable import MIDI

@Suite struct FixtureReadingTests {
    @Test(arguments: Fixture.allCases)
    func agreesWithMido(fixture: Fixture) throws {
        let midi = try fixture.read()
        let facts = fixture.facts
        #expect(midi.format == facts.format)
        #expect(midi.division == .ticksPerQuarter(facts.ticksPerQuarter))
        #expect(midi.tracks.map(\.events.count) == facts.eventsPerTrack)
        #expect(midi.noteOnCount == facts.notes)
        #expect(abs(midi.durationSeconds - facts.seconds) < 0.001)
        let keys = midi.tracks.flatMap(\.events).compactMap { e -> Int? in
            if case .channel(.noteOn(_, let key, _)) = e.event { return Int(key) } else { return nil }
        }
        #expect(keys.min() == facts.lowest)
        #expect(keys.max() == facts.highest)
    }

    @Test(arguments: Fixture.allCases)
    func everyTrackEndsWithOneEndOfTrackAndTicksNeverDecrease(fixture: Fixture) throws {
        for track in try fixture.read().tracks {
            #expect(track.events.last?.event == .meta(.endOfTrack))
            #expect(track.events.filter { $0.event == .meta(.endOfTrack) }.count == 1)
            #expect(zip(track.events, track.events.dropFirst()).allSatisfy { $0.ticks <= $1.ticks })
        }
    }

    @Test(arguments: Fixture.allCases)
    func everyNoteOnHasAMatchingNoteOff(fixture: Fixture) throws {
        var open = [Int](repeating: 0, count: 16 * 128)
        for track in try fixture.read().tracks {
            for e in track.events {
                switch e.event {
                case .channel(.noteOn(let c, let k, _)): open[Int(c) * 128 + Int(k)] += 1
                case .channel(.noteOff(let c, let k, _)): open[Int(c) * 128 + Int(k)] -= 1
                default: break
                }
            }
        }
        #expect(open.allSatisfy { $0 == 0 })
    }

    @Test func readsTheMetaEventsOfAPianoMidiScore() throws {
        let midi = try Fixture.chopin.read()
        #expect(midi.tracks.map(\.name) == ["Chopin Prelude No. 7", "Piano right", "Piano left",
                                           "Chopin: Prelude No.7 in A, Op. 28", "Copyright © 1997 by Bernd Krueger",
                                           "http://www.piano-midi.de", "Edition: 2014-02-20", "Spur 7", "Spur 8"])
        let conductor = midi.tracks[0].events.map(\.event)
        #expect(conductor.contains(.meta(.timeSignature(numerator: 3, denominator: 4, clocksPerClick: 24, thirtySecondsPerQuarter: 8))))
        #expect(conductor.contains(.meta(.keySignature(sharps: 3, isMinor: false))))
        #expect(conductor.contains(.meta(.tempo(microsecondsPerQuarter: 591_424))))
        #expect(midi.tempoChanges.count == 33)
    }

    @Test func readsLatinOneTextAsUnicode() throws {
        // bor_ps5.mid spells the copyright holder "Bernd Krüger" in Latin-1.
        let names = try Fixture.borodin.read().tracks.compactMap(\.name)
        #expect(names.contains("Copyright © 2000 by Bernd Krüger"))
    }

    @Test func readsSysexSequencerSpecificAndChannelTenSetUpOfAPerformance() throws {
        let events = try Fixture.schumannPerformance.read().tracks[0].events.map(\.event)
        let sysex = events.filter { if case .sysex = $0 { return true } else { return false } }
        #expect(sysex.count == 4)
        #expect(events.contains { if case .meta(.other(0x7F, _)) = $0 { return true } else { return false } })
        #expect(events.contains { if case .channel(.controlChange(9, _, _)) = $0 { return true } else { return false } })
        #expect(events.contains { if case .channel(.polyphonicPressure) = $0 { return true } else { return false } })
        // This file ends notes with explicit note-offs (status 0x80) carrying a velocity.
        #expect(events.contains { if case .channel(.noteOff(_, _, let v)) = $0 { return v > 0 } else { return false } })
    }

    @Test func tempoMapMatchesTheTempoEventsOfAScore() throws {
        let midi = try Fixture.chopin.read()
        let map = midi.tempoMap()
        let changes = midi.tempoChanges
        // Sum the segments by hand and compare at each change and at the end.
        var seconds = 0.0, tick = 0, perTick = 0.5 / 480
        for change in changes {
            seconds += Double(change.ticks - tick) * perTick
            tick = change.ticks
            perTick = Double(change.microsecondsPerQuarter) / 1e6 / 480
            #expect(abs(map.seconds(atTicks: tick) - seconds) < 1e-9)
            #expect(abs(map.ticks(atSeconds: seconds) - Double(tick)) < 1e-6)
        }
        #expect(abs(map.seconds(atTicks: 24000) - 37.028) < 0.001)
    }
}
