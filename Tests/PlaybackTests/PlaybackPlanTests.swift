// What `cadenza play` plays: start bar, end time (music end + tail, or --seconds), the
// bars handed to the player, and the progress line; bad values are errors.
import Testing
import MIDI
@testable import Playback

@Suite struct PlaybackPlanTests {
    /// Three 4/4 bars at 120 BPM (2 s each); the last note ends at 5.5 s.
    let score = PianoScore(ticksPerQuarter: 480, notes: [
        ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 960),
        ScoreNote(pitch: 64, velocity: 80, onsetTicks: 1920, durationTicks: 480),
        ScoreNote(pitch: 67, velocity: 80, onsetTicks: 4800, durationTicks: 480),
    ])

    @Test func wholePieceEndsAfterTheLastNotePlusTheTail() throws {
        let plan = try PlaybackPlan(score: score, tailSeconds: 0.5)
        #expect(plan.fromSeconds == 0)
        #expect(plan.untilSeconds == 6.0)
        #expect(plan.barsToPlay.map(\.index) == [0, 1, 2])
        #expect(plan.progressLine(positionSeconds: 2.5) == "bar 2/3  0:02.5 / 0:06.0")
    }

    @Test func fromABarForAFewSeconds() throws {
        let plan = try PlaybackPlan(score: score, fromBar: 2, maxSeconds: 1.5, tailSeconds: 0.5)
        #expect(plan.fromSeconds == 2)
        #expect(plan.untilSeconds == 3.5)
        #expect(plan.barsToPlay.map(\.index) == [1, 2])
        #expect(plan.barNumber(atSeconds: 0) == 2)
        #expect(plan.barNumber(atSeconds: 4.0) == 3)
    }

    @Test func badValuesAreErrors() {
        #expect(throws: PlaybackError.barOutOfRange(bar: 4, barCount: 3)) { try PlaybackPlan(score: score, fromBar: 4) }
        #expect(throws: PlaybackError.barOutOfRange(bar: 0, barCount: 3)) { try PlaybackPlan(score: score, fromBar: 0) }
        #expect(throws: PlaybackError.invalidDuration(0)) { try PlaybackPlan(score: score, maxSeconds: 0) }
        #expect(throws: PlaybackError.nothingToPlay) { try PlaybackPlan(score: PianoScore()) }
    }
}
