// The one decoder's timeline: bars and notes point back at their BAR and PITCH tokens, the
// score it makes is the one `decode` returns, and an illegal id ends a drawing's prefix
// where the strict decoder throws.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Tokenization

@Suite struct TimelineTests {
    @Test func barsAndNotesPointAtTheirTokens() throws {
        let tokenizer = Tokenizer()
        for url in Fixtures.midiFiles.prefix(4) {
            let ids = tokenizer.encode(try Fixtures.score(url))
            let timeline = try tokenizer.timeline(ids)
            #expect(timeline.bars.count == ids.filter { $0 == tokenizer.vocabulary.barID }.count)
            for (i, bar) in timeline.bars.enumerated() {
                #expect(ids[bar.tokenIndex] == tokenizer.vocabulary.barID)
                if i + 1 < timeline.bars.count { #expect(bar.startTicks + bar.lengthTicks == timeline.bars[i + 1].startTicks) }
                for note in bar.notes {
                    #expect(tokenizer.vocabulary.token(ids[note.pitchTokenIndex]) == .pitch(note.pitch))
                    #expect(note.onsetTicks >= bar.startTicks && note.onsetTicks < bar.startTicks + bar.lengthTicks)
                }
            }
            #expect(timeline.score == (try tokenizer.decode(ids)))
            #expect(timeline.bars.reduce(0) { $0 + $1.notes.count } == (try tokenizer.decode(ids)).notes.count)
        }
    }

    @Test func anIllegalIdEndsTheLegalPrefixAndThrowsInTheStrictDecoder() throws {
        let tokenizer = Tokenizer()
        let v = tokenizer.vocabulary
        let ids = tokenizer.encode(try Fixtures.score(Fixtures.midiFiles[0]))
        let secondBar = ids.indices.filter { ids[$0] == v.barID }[1]
        var broken = ids
        broken.insert(v.ids(of: .duration).lowerBound, at: secondBar + 1)  // DUR right after BAR
        #expect(throws: TokenizationError.self) { try tokenizer.timeline(broken) }
        let prefix = tokenizer.timelineOfLegalPrefix(broken)
        #expect(prefix.bars.count == 2)
        #expect(prefix.bars[0] == (try tokenizer.timeline(Array(ids[..<secondBar]))).bars[0])
    }
}
