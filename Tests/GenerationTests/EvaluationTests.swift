// The model-card measures on hand-made inputs with known answers: music statistics on a
// fixture file and a hand-built piece, copy detection, KL.
import Foundation
import MIDI
import Testing
import Tokenization
@testable import Generation

@Suite struct EvaluationTests {
    @Test func copyDetectorFindsTheLongestSharedRun() {
        let training = [Array(0..<50), [7, 7, 7, 7, 7, 7, 7, 7, 7, 7]]
        let d = CopyDetector(training: training, seedLength: 4)
        #expect(d.longestSharedRun([99, 98] + Array(10..<30) + [97]) == 20)
        #expect(d.longestSharedRun([1, 2, 3, 99, 5, 6, 7, 98]) == 0)  // runs of 3 are below the seed
        #expect(d.longestSharedRun(Array(repeating: 7, count: 30)) == 10)
    }

    @Test func klIsZeroForEqualHistogramsAndPositiveOtherwise() {
        let p = [0.5, 0.25, 0.25]
        #expect(abs(MusicStatistics.klDivergence(p, p)) < 1e-12)
        #expect(MusicStatistics.klDivergence(p, [1.0 / 3, 1.0 / 3, 1.0 / 3]) > 0.01)
    }

    @Test func musicStatisticsOfAHandBuiltPiece() throws {
        let t = TestModels.tokenizer
        let v = t.vocabulary
        let spq = v.configuration.stepsPerQuarter
        func id(_ token: Token) -> Int { v.id(token)! }
        // Bar 1: C4+E4 on beat 1 (a quarter each), G4 on beat 2 half a beat long.
        // Bar 2: the same as bar 1 (an exact repeat). Bar 3: A4 off the beat.
        let bar1 = [id(.bar), id(.position(0)), id(.velocity(64)), id(.pitch(60)), id(.duration(spq)),
                    id(.velocity(64)), id(.pitch(64)), id(.duration(spq)),
                    id(.position(spq)), id(.velocity(64)), id(.pitch(67)), id(.duration(spq / 2))]
        let bar3 = [id(.bar), id(.position(spq / 2)), id(.velocity(64)), id(.pitch(69)), id(.duration(spq))]
        let s = MusicStatistics.measure([[v.bosID] + bar1 + bar1 + bar3], tokenizer: t)
        #expect(s.decodeRate == 1 && s.bars == 3 && s.notes == 7)
        #expect(abs(s.notesPerBar - 7.0 / 3) < 1e-12)
        #expect(abs(s.repeatedBarShare - 1.0 / 3) < 1e-12)
        #expect(abs(s.downbeatShare - 4.0 / 7) < 1e-12)
        #expect(abs(s.onBeatShare - 6.0 / 7) < 1e-12)
        #expect(s.meanPitchRange == 9)
        // Onsets: 2 sounding at each downbeat, 1 at beat 2, 1 at the off-beat: (2+1+2+1+1)/5.
        #expect(abs(s.meanPolyphony - 7.0 / 5) < 1e-12)
        #expect(abs(s.pitchClassHistogram[0] - 2.0 / 7) < 1e-12)
        // An undecodable sequence counts against the decode rate.
        let bad = MusicStatistics.measure([[v.bosID, id(.pitch(60))]], tokenizer: t)
        #expect(bad.pieces == 1 && bad.decodeRate == 0)
    }

    @Test func realMusicLooksLikeMusic() throws {
        let ids = TestModels.tokenizer.encode(try TestModels.fixtureScore("clementi_opus36_3_2.mid"))
        let s = MusicStatistics.measure([ids], tokenizer: TestModels.tokenizer)
        #expect(s.decodeRate == 1)
        #expect(s.notesPerBar > 2 && s.notesPerBar < 30)
        #expect(s.onBeatShare > 0.3)
        #expect(s.meanPitchRange > 24)
    }

    @Test func regenerationGainIsNeverNegative() throws {
        // Best of K is at least the first candidate, so the mean gain is >= 0, and > 0 with K > 1
        // on a random model (candidates differ) unless the first of three candidates happened to
        // be the best at every one of six regenerations (about 1 in 700).
        let r = try RegenerationGain.measure(model: TestModels.sharedModel, tokenizer: TestModels.tokenizer,
                                             pieces: 2, bars: 6, candidates: 3, seed: 1, maxTokensPerBar: 40)
        #expect(r.regenerations >= 4)
        #expect(r.gainPerRegeneration > 0)
        #expect(r.meanBestOfK >= r.meanSingle)
    }
}
