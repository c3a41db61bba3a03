// What `generate --count N` makes and where it writes: the pieces of seeds s, s+1, ... each as
// its own generation, and the file names (numbered, or by seed inside a folder).
import Testing
@testable import Generation

@Suite struct PieceOutputTests {
    @Test func countPiecesAreTheSingleGenerationsOfConsecutiveSeeds() throws {
        var request = PieceRequest(bars: 2, settings: .default, seed: UInt64.max)  // the seeds wrap
        request.holdsKey = true
        let pieces = try PieceGenerator.generate(count: 3, model: TestModels.sharedModel, tokenizer: TestModels.tokenizer,
                                                 checkpointName: "test", request: request)
        #expect(pieces.count == 3)
        for (i, piece) in pieces.enumerated() {
            var one = request
            one.seed = UInt64.max &+ UInt64(i)
            let alone = try PieceGenerator.generate(model: TestModels.sharedModel, tokenizer: TestModels.tokenizer,
                                                    checkpointName: "test", request: one)
            #expect(piece.tokens == alone.tokens, "piece \(i)")
        }
        #expect(Set(pieces.map(\.tokens)).count > 1)
    }

    @Test func namesAreNumberedOrBySeed() {
        #expect(PieceOutputNames.numbered("out/song.mid", count: 1, extension: "mid") == ["out/song.mid"])
        #expect(PieceOutputNames.numbered("out/song.mid", count: 2, extension: "mid") == ["out/song-001.mid", "out/song-002.mid"])
        #expect(PieceOutputNames.numbered("take", count: 2, extension: "wav") == ["take-001.wav", "take-002.wav"])
        #expect(PieceOutputNames.bySeed(inFolder: "/tmp/pieces", count: 2, firstSeed: UInt64.max)
            == ["/tmp/pieces/cadenza-18446744073709551615.mid", "/tmp/pieces/cadenza-0.mid"])
    }
}
