// A time-signature change on every bar (issue 13: 1,000,000 changes took minutes, each
// bar looked its signature up from the first change). Bars now carry their signature from
// one pass (PianoScore.bars), so the work is linear; this checks the result is right.
import MIDI
import Testing
@testable import Tokenization

@Suite struct ManyTimeSignaturesTests {
    @Test func aChangeOnEveryBarIsEncodedBarByBar() throws {
        let bars = 20_000
        var signatures: [TimeSignatureChange] = []
        var notes: [ScoreNote] = []
        var tick = 0
        for bar in 0..<bars {
            let numerator = bar % 2 == 0 ? 3 : 2
            signatures.append(TimeSignatureChange(ticks: tick, numerator: numerator, denominator: 4))
            notes.append(ScoreNote(pitch: 60 + bar % 12, velocity: 64, onsetTicks: tick, durationTicks: 240))
            tick += numerator * 480
        }
        let score = PianoScore(ticksPerQuarter: 480, notes: notes, tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 120)],
                               timeSignatures: signatures)
        let tokenizer = Tokenizer()
        let ids = tokenizer.encode(score)
        let lines = tokenizer.text(of: ids).split(separator: "\n").dropFirst()  // the BOS line
        #expect(lines.count == bars)
        for (bar, line) in lines.enumerated() where bar < 4 || bar >= bars - 4 {
            #expect(line.hasPrefix("BAR TS_\(bar % 2 == 0 ? 3 : 2)/4"), "bar \(bar): \(line)")
        }
        let decoded = try tokenizer.decode(ids)
        #expect(decoded.timeSignatures.map(\.numerator) == signatures.map(\.numerator))
        #expect(decoded.timeSignatures.map(\.ticks) == signatures.map(\.ticks))
        #expect(decoded.notes.map(\.onsetTicks) == notes.map(\.onsetTicks))
    }
}
