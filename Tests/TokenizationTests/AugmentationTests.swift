// Augmentation: transposition keeps intervals and durations (on scores and token
// streams alike) and refuses to leave the piano; tempo scaling changes only seconds.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Tokenization

@Suite struct AugmentationTests {
    let tokenizer = Tokenizer()

    @Test func transpositionKeepsIntervalsAndDurations() throws {
        let url = try #require(Fixtures.midiFiles.first { $0.lastPathComponent == "mendel_op19_6.mid" })
        let score = try Fixtures.score(url)
        let up = try #require(score.transposed(by: 5))
        #expect(up.notes.count == score.notes.count)
        for (a, b) in zip(score.notes, up.notes) {
            #expect(b.pitch - a.pitch == 5)
            #expect(a.onsetTicks == b.onsetTicks && a.durationTicks == b.durationTicks && a.velocity == b.velocity)
        }
        // On token streams: transposing the tokens equals tokenizing the transposed score.
        let ids = tokenizer.encode(score)
        #expect(tokenizer.transposed(ids, by: 5) == tokenizer.encode(up))
        #expect(tokenizer.transposed(ids, by: -7) == tokenizer.encode(try #require(score.transposed(by: -7))))
        let decodedUp = try tokenizer.decode(try #require(tokenizer.transposed(ids, by: 5)))
        let decoded = try tokenizer.decode(ids)
        #expect(zip(decoded.notes, decodedUp.notes).allSatisfy { $1.pitch - $0.pitch == 5 && $0.durationTicks == $1.durationTicks })
    }

    @Test func transpositionOutOfTheRangeIsSkipped() {
        let score = PianoScore(notes: [ScoreNote(pitch: 105, velocity: 64, onsetTicks: 0, durationTicks: 480)])
        #expect(score.transposed(by: 4) == nil)
        #expect(score.transposed(by: 3)?.notes.first?.pitch == 108)
        let ids = tokenizer.encode(score)
        #expect(tokenizer.transposed(ids, by: 4) == nil)
    }

    @Test func tempoScalingChangesSecondsNotTicks() throws {
        let url = try #require(Fixtures.midiFiles.first { $0.lastPathComponent == "chpn-p7.mid" })
        let score = try Fixtures.score(url)
        let faster = score.tempoScaled(by: 1.25)
        #expect(faster.notes == score.notes)
        let end = score.endTicks
        let ratio = score.tempoMap.seconds(atTicks: end) / faster.tempoMap.seconds(atTicks: end)
        #expect(abs(ratio - 1.25) < 0.001)

        let ids = tokenizer.encode(score)
        let shifted = try #require(tokenizer.tempoShifted(ids, byBins: 2))
        let a = try tokenizer.decode(ids), b = try tokenizer.decode(shifted)
        #expect(a.notes == b.notes)
        #expect(b.tempoMap.seconds(atTicks: b.endTicks) < a.tempoMap.seconds(atTicks: a.endTicks) * 0.9)
        #expect(tokenizer.tempoShifted(ids, byBins: 40) == nil)
    }
}
