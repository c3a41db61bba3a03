// The grammar: seeded random walks through it always decode (whole and as prefixes),
// fillMask agrees with isAllowed, and bars are found where BAR tokens are.
import MIDI
import Testing
import TestSupport
@testable import Tokenization

@Suite struct GrammarTests {
    let tokenizer = Tokenizer(styles: ["bach", "chopin"])

    /// Walks the grammar choosing uniformly among allowed ids, stopping near `length`.
    func walk(_ rng: inout TestRandom, length: Int, checkMask: Bool) -> [Int] {
        let v = tokenizer.vocabulary
        var grammar = GrammarState(vocabulary: v)
        var mask = [Bool](repeating: false, count: v.count)
        var allowed: [Int] = []
        allowed.reserveCapacity(v.count)
        var ids: [Int] = []
        while !grammar.isComplete {
            grammar.fillMask(&mask)
            if checkMask {
                for id in 0..<v.count where mask[id] != grammar.isAllowed(id) {
                    Issue.record("mask and isAllowed disagree on \(v.token(id)) after \(v.description(of: ids))")
                }
            }
            if ids.count >= length && mask[v.eosID] {
                ids.append(v.eosID); grammar.advance(v.eosID); break
            }
            allowed.removeAll(keepingCapacity: true)
            for id in 0..<v.count where mask[id] { allowed.append(id) }
            guard let id = allowed.randomElement(using: &rng) else {
                Issue.record("dead end after \(v.description(of: ids))"); break
            }
            ids.append(id)
            grammar.advance(id)
        }
        return ids
    }

    @Test func thousandsOfRandomWalksDecode() throws {
        var rng = TestRandom(seed: 2024)
        var notes = 0
        for i in 0..<3000 {
            let length = Int.random(in: 1...120, using: &rng)
            let ids = walk(&rng, length: length, checkMask: i < 100)
            let score = try tokenizer.decode(ids)
            notes += score.notes.count
            for n in score.notes {
                #expect((21...108).contains(n.pitch) && n.durationTicks > 0 && n.onsetTicks >= 0)
            }
            let cut = Int.random(in: 0...ids.count, using: &rng)
            _ = try tokenizer.decode(Array(ids.prefix(cut)))
        }
        #expect(notes > 10_000)  // the walks do write notes
    }

    @Test func positionsStayInsideTheBarOfTheCurrentTimeSignature() {
        let v = tokenizer.vocabulary
        var g = GrammarState(vocabulary: v)
        g.advance(v.bosID); g.advance(v.barID)
        #expect(g.isAllowed(v.id(.position(47))!))   // 4/4 at 12 steps: 48 positions
        #expect(!g.isAllowed(v.id(.position(48))!))
        g.advance(v.id(.timeSignature(numerator: 3, denominator: 8))!)
        #expect(g.isAllowed(v.id(.position(17))!))
        #expect(!g.isAllowed(v.id(.position(18))!))
        g.advance(v.id(.position(6))!)
        #expect(!g.isAllowed(v.id(.position(7))!))   // a note must come first
        #expect(g.isAllowed(v.id(.tempo(120))!))
        g.advance(v.id(.velocity(64))!)
        #expect(!g.isAllowed(v.id(.duration(12))!))
        g.advance(v.id(.pitch(60))!)
        g.advance(v.id(.duration(12))!)
        #expect(!g.isAllowed(v.id(.position(6))!))   // never backwards or repeated
        #expect(g.isAllowed(v.id(.position(7))!))
        #expect(!g.isAllowed(v.id(.timeSignature(numerator: 4, denominator: 4))!))
        g.advance(v.barID)
        #expect(g.barIndex == 1)
        #expect(g.isAllowed(v.id(.position(0))!))
        #expect(!g.isAllowed(v.id(.position(18))!))  // 3/8 carries over
        g.advance(v.eosID)
        #expect(g.isComplete)
        #expect(g.isAllowed(v.padID) && !g.isAllowed(v.barID))
    }

    @Test func barStartIndicesFindEveryBar() throws {
        let score = PianoScore(notes: (0..<10).map { ScoreNote(pitch: 60, velocity: 64, onsetTicks: $0 * 960, durationTicks: 480) })
        let ids = tokenizer.encode(score)
        let bars = tokenizer.vocabulary.barStartIndices(ids)
        #expect(bars.count == 5)
        #expect(bars.allSatisfy { ids[$0] == tokenizer.vocabulary.barID })
        // Cutting at a bar start leaves a decodable prefix with the earlier bars' notes.
        #expect(try tokenizer.decode(Array(ids[..<bars[3]])).notes.count == 6)
    }
}
