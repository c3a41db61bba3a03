// Volume (CC7) and expression (CC11) read for rendering: every non-drum channel, in time
// order across tracks, on the score's tick grid, repeats of the value in force dropped.
import Foundation
import Testing
@testable import MIDI

@Suite struct LevelChangeTests {
    func cc(_ ticks: Int, channel: UInt8, _ controller: UInt8, _ value: UInt8) -> TimedEvent {
        TimedEvent(ticks: ticks, event: .channel(.controlChange(channel: channel, controller: controller, value: value)))
    }

    @Test func volumeAndExpressionOfEveryPianoChannel() {
        let midi = MIDIFile(tracks: [
            MIDITrack(events: [cc(0, channel: 0, 7, 100), cc(480, channel: 0, 7, 127), cc(960, channel: 0, 64, 127)]),
            MIDITrack(events: [cc(240, channel: 1, 11, 90), cc(240, channel: 9, 7, 10), cc(720, channel: 1, 7, 127), cc(1200, channel: 1, 7, 60)]),
        ])
        #expect(PianoScore.levelChanges(in: midi) == [
            LevelChange(ticks: 240, controller: 11, value: 90),     // CC7 100 at 0 is the power-on value: dropped
            LevelChange(ticks: 480, controller: 7, value: 127),     // the drum channel's CC7 is not the piano's
            LevelChange(ticks: 1200, controller: 7, value: 60),     // 127 again at 720: dropped
        ])
    }

    @Test func smpteTicksAreConvertedLikeTheScore() {
        // 25 frames of 40 ticks: 1000 ticks a second, so tick 500 is 0.5 s, 480 ticks at 120 BPM.
        let midi = MIDIFile(division: .smpte(framesPerSecond: 25, ticksPerFrame: 40), tracks: [MIDITrack(events: [cc(500, channel: 0, 7, 127)])])
        #expect(PianoScore.levelChanges(in: midi) == [LevelChange(ticks: 480, controller: 7, value: 127)])
    }

    @Test func chopinPreludeSetsFullVolume() throws {
        // Two CC7 100 and two CC7 127 in its tracks: FluidSynth plays it 4 dB louder than the default volume.
        let changes = PianoScore.levelChanges(in: try MIDIFile(contentsOf: Fixture.chopin.url))
        #expect(!changes.isEmpty && changes.allSatisfy { $0.controller == 7 }, "\(changes)")
        #expect(changes.last?.value == 127)
    }
}
