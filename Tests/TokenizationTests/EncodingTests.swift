// The encoder and decoder: a golden hand-written score with its exact tokens, round
// trips on every fixture, and the grammar accepting every fixture's encoding.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Tokenization

@Suite struct EncodingTests {
    let tokenizer = Tokenizer()

    /// Two bars of 3/4 at 120 BPM, 480 ticks per quarter.
    static let golden = PianoScore(
        ticksPerQuarter: 480,
        notes: [
            ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 480),         // quarter
            ScoreNote(pitch: 67, velocity: 64, onsetTicks: 480, durationTicks: 240),       // eighths, a chord
            ScoreNote(pitch: 64, velocity: 64, onsetTicks: 480, durationTicks: 240),
            ScoreNote(pitch: 57, velocity: 101, onsetTicks: 1440 + 160, durationTicks: 1440),  // a triplet eighth in
            ScoreNote(pitch: 110, velocity: 30, onsetTicks: 1440 + 960, durationTicks: 60),    // above the piano
        ],
        tempoChanges: [TempoChange(ticks: 0, microsecondsPerQuarter: 500_000)],
        timeSignatures: [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4)])

    @Test func goldenScoreHasExactTokens() throws {
        let t = Tokenizer(styles: ["chopin"])
        let (ids, stats) = t.encodeWithStatistics(Self.golden, style: "chopin")
        #expect(t.vocabulary.description(of: ids) == """
            BOS STYLE_chopin BAR TS_3/4 KEY_A_minor TEMPO_120 POS_0 VEL_80 PITCH_60 DUR_12 \
            POS_12 VEL_64 PITCH_64 DUR_6 VEL_64 PITCH_67 DUR_6 \
            BAR KEY_A_minor POS_4 VEL_104 PITCH_57 DUR_36 POS_24 VEL_32 PITCH_98 DUR_2 EOS
            """)
        #expect(stats.movedNotes == 1)
        #expect(stats.cappedNotes == 0)
        #expect(t.text(of: ids).split(separator: "\n").count == 3)  // BOS line, then one line per bar

        let decoded = try t.decode(ids)
        #expect(decoded.ticksPerQuarter == 480)
        #expect(decoded.timeSignatures == [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4)])
        #expect(decoded.tempoChanges == [TempoChange(ticks: 0, microsecondsPerQuarter: 500_000)])
        #expect(decoded.notes == [
            ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 480),
            ScoreNote(pitch: 64, velocity: 64, onsetTicks: 480, durationTicks: 240),
            ScoreNote(pitch: 67, velocity: 64, onsetTicks: 480, durationTicks: 240),
            ScoreNote(pitch: 57, velocity: 104, onsetTicks: 1600, durationTicks: 1440),
            ScoreNote(pitch: 98, velocity: 32, onsetTicks: 2400, durationTicks: 80),
        ])
        #expect(t.style(of: ids) == "chopin")
        #expect(t.vocabulary.barStartIndices(ids) == [2, 17])
    }

    @Test func emptyScoreIsBOSEOS() throws {
        let ids = tokenizer.encode(PianoScore())
        #expect(tokenizer.vocabulary.description(of: ids) == "BOS EOS")
        #expect(try tokenizer.decode(ids).notes.isEmpty)
    }

    /// 4/4 quarters: two beats at 60 BPM, then from beat 3 at 120 BPM.
    static let tempoChangeInsideABar = PianoScore(
        notes: (0..<8).map { ScoreNote(pitch: 60 + $0, velocity: 64, onsetTicks: $0 * 480, durationTicks: 480) },
        tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 60), TempoChange(ticks: 960, beatsPerMinute: 120)])

    @Test func tempoChangesInsideABarBecomeTempoTokensAfterPositions() throws {
        let tokenizer = Tokenizer(configuration: .make(stepsPerQuarter: 12, tempoPerBar: false))
        let score = Self.tempoChangeInsideABar
        let ids = tokenizer.encode(score)
        let text = tokenizer.vocabulary.description(of: ids)
        #expect(text == """
            BOS BAR TS_4/4 KEY_C_major TEMPO_60 POS_0 VEL_64 PITCH_60 DUR_12 POS_12 VEL_64 PITCH_61 DUR_12 \
            POS_24 TEMPO_120 VEL_64 PITCH_62 DUR_12 POS_36 VEL_64 PITCH_63 DUR_12 \
            BAR KEY_C_major POS_0 VEL_64 PITCH_64 DUR_12 POS_12 VEL_64 PITCH_65 DUR_12 POS_24 VEL_64 PITCH_66 DUR_12 \
            POS_36 VEL_64 PITCH_67 DUR_12 EOS
            """)
        let result = tokenizer.compare(original: score, decoded: try tokenizer.decode(ids))
        #expect(result.keptNotes == 8)
    }

    @Test func withOneTempoPerBarABarPlaysAtItsMeanTempo() throws {
        // Bar 1 takes 2 + 1 seconds for four quarters: 80 BPM, whose nearest bin is 78.
        let ids = tokenizer.encode(Self.tempoChangeInsideABar)
        #expect(tokenizer.vocabulary.description(of: ids) == """
            BOS BAR TS_4/4 KEY_C_major TEMPO_78 POS_0 VEL_64 PITCH_60 DUR_12 POS_12 VEL_64 PITCH_61 DUR_12 \
            POS_24 VEL_64 PITCH_62 DUR_12 POS_36 VEL_64 PITCH_63 DUR_12 \
            BAR KEY_C_major TEMPO_120 POS_0 VEL_64 PITCH_64 DUR_12 POS_12 VEL_64 PITCH_65 DUR_12 POS_24 VEL_64 PITCH_66 DUR_12 \
            POS_36 VEL_64 PITCH_67 DUR_12 EOS
            """)
        let result = try tokenizer.roundTrip(Self.tempoChangeInsideABar)
        #expect(result.keptNotes == 8)
        #expect(result.rubatoSeconds > 0.5)  // the file's own timing is not the tokens'
    }

    @Test func aTempoWanderingInsideOneBinChangesNothing() throws {
        // Bars alternate 100 and 104 BPM, both nearest the bin 101: one TEMPO.
        let bars = 8
        let score = PianoScore(
            notes: (0..<(bars * 4)).map { ScoreNote(pitch: 60, velocity: 64, onsetTicks: $0 * 480, durationTicks: 480) },
            tempoChanges: (0..<bars).map { TempoChange(ticks: $0 * 1920, beatsPerMinute: $0 % 2 == 0 ? 100 : 104) })
        let ids = tokenizer.encode(score)
        #expect(tokenizer.vocabulary.description(of: ids).components(separatedBy: "TEMPO_").count - 1 == 1)
        // A real change (100 -> 140, the bin 143) is followed.
        var faster = score
        faster.tempoChanges = [TempoChange(ticks: 0, beatsPerMinute: 100), TempoChange(ticks: 4 * 1920, beatsPerMinute: 140)]
        let text = tokenizer.vocabulary.description(of: tokenizer.encode(faster))
        #expect(text.components(separatedBy: "TEMPO_").count - 1 == 2)
        #expect(text.contains("BAR KEY_C_major TEMPO_143"))
    }

    @Test(arguments: Fixtures.midiFiles)
    func fixtureRoundTripKeepsNotesAndGrammarAcceptsIt(_ url: URL) throws {
        let score = try Fixtures.score(url)
        #expect(score.notes.count > 100)
        let ids = tokenizer.encode(score)
        var grammar = GrammarState(vocabulary: tokenizer.vocabulary)
        for (i, id) in ids.enumerated() { try grammar.tryAdvance(id, index: i) }
        #expect(grammar.isComplete)

        let result = try tokenizer.roundTrip(score)
        #expect(result.keptFraction >= 0.99, "\(url.lastPathComponent): kept \(result.keptNotes) of \(result.originalNotes)")
        #expect(result.meanOnsetErrorSeconds < 0.02)
        // Bar lines of scores survive: the decoded bars start where those of the score the
        // tokens spell (one tempo per bar) do.
        if !url.lastPathComponent.hasPrefix("asap_") {
            let decoded = try tokenizer.decode(ids)
            let score = tokenizer.referenceScore(score)
            let lastOnset = score.notes.map(\.onsetTicks).max() ?? 0
            let originalBars = score.barStartTicks().filter { $0 <= lastOnset }.map { score.tempoMap.seconds(atTicks: $0) }
            let decodedBars = decoded.barStartTicks().map { decoded.tempoMap.seconds(atTicks: $0) }
            let n = min(originalBars.count, decodedBars.count)
            #expect(n == originalBars.count)
            let worst = zip(originalBars.prefix(n), decodedBars.prefix(n)).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 0.1, "\(url.lastPathComponent): bar lines drift by \(worst) s")
        }
    }

    @Test func decodedScoreSurvivesTheMIDIWriterAndReader() throws {
        let url = try #require(Fixtures.midiFiles.first { $0.lastPathComponent == "chpn-p7.mid" })
        let decoded = try tokenizer.decode(tokenizer.encode(try Fixtures.score(url)))
        let bytes = decoded.midiFile().encoded()
        let reread = PianoScore(midi: try MIDIFile(bytes: bytes, fileName: "roundtrip.mid"))
        #expect(reread.notes.count == decoded.notes.count)
        #expect(reread.tempoChanges == decoded.tempoChanges)
        #expect(reread.timeSignatures == decoded.timeSignatures)
        #expect(tokenizer.encode(reread) == tokenizer.encode(decoded))
    }

    /// A piece that ends in bars of rest keeps them: the decoded score lasts to the end of its
    /// last bar, and so does the MIDI file written from it (its end of track).
    @Test func barsOfRestAtTheEndAreKeptInTheScoreAndItsMIDIFile() throws {
        let v = tokenizer.vocabulary
        let ids = [v.bosID, v.barID, v.id(.position(0))!, v.id(.velocity(64))!, v.id(.pitch(60))!, v.id(.duration(12))!,
                   v.barID, v.barID]
        let score = try tokenizer.decode(ids)
        let bar = 4 * Tokenizer.decodedTicksPerQuarter  // 4/4
        #expect(score.notes.map(\.endTicks) == [480])
        #expect(score.lengthTicks == 3 * bar && score.endTicks == 3 * bar)
        #expect(score.barStartTicks() == [0, bar, 2 * bar])
        let midi = try MIDIFile(bytes: score.midiFile().encoded(), fileName: "rests.mid")
        #expect(midi.endTicks == 3 * bar)
        #expect(PianoScore(midi: midi).barStartTicks(untilTicks: midi.endTicks) == [0, bar, 2 * bar])
        // A piece without bars of rest ends with its last note's bar, as before.
        let full = try tokenizer.decode(Array(ids.dropLast(2)))
        #expect(full.endTicks == bar)
    }

    @Test func undecodableSequencesThrowWithTheirIndex() {
        let v = tokenizer.vocabulary
        #expect(throws: TokenizationError.unknownID(id: 9999, index: 2, vocabularySize: v.count)) {
            try tokenizer.decode([v.bosID, v.barID, 9999])
        }
        let pitch = v.id(.pitch(60))!
        #expect(throws: TokenizationError.self) { try tokenizer.decode([v.bosID, v.barID, pitch]) }
        let pos5 = v.id(.position(5))!, pos3 = v.id(.position(3))!
        let note = [v.id(.velocity(64))!, pitch, v.id(.duration(12))!]
        #expect(throws: TokenizationError.self) { try tokenizer.decode([v.bosID, v.barID, pos5] + note + [pos3] + note) }
    }

    @Test func aPrefixWithAHalfWrittenNoteDecodes() throws {
        let v = tokenizer.vocabulary
        let ids = [v.bosID, v.barID, v.id(.position(0))!, v.id(.velocity(64))!, v.id(.pitch(60))!, v.id(.duration(12))!,
                   v.id(.position(12))!, v.id(.velocity(64))!, v.id(.pitch(62))!]
        let score = try tokenizer.decode(ids)
        #expect(score.notes == [ScoreNote(pitch: 60, velocity: 64, onsetTicks: 0, durationTicks: 480)])
        // Without BOS too (a window from the middle of a piece).
        #expect(try tokenizer.decode(Array(ids.dropFirst())).notes.count == 1)
    }
}
