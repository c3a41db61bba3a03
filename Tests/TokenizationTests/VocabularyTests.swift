// The vocabulary: its size and layout, text forms, and the JSON that goes into
// checkpoints (round trip, and refusal of foreign or damaged JSON).
import Foundation
import Testing
@testable import Tokenization

@Suite struct VocabularyTests {
    @Test func defaultLayout() {
        let v = Tokenizer(styles: ["bach", "chopin"]).vocabulary
        #expect(v.count == 308 + 2 + 24)  // 24 KEY tokens last
        #expect(v.token(0) == .pad && v.token(1) == .bos && v.token(2) == .eos && v.token(3) == .bar)
        #expect(v.styles == ["bach", "chopin"])
        #expect(v.id(.style("chopin")) == 5)
        #expect(v.pitchCount == 88 && v.velocityCount == 16 && v.tempoCount == 32)
        #expect(v.positionCount == 96)
        #expect(v.id(.pitch(20)) == nil && v.id(.style("liszt")) == nil)
    }

    @Test func everyTokenHasAParsableTextForm() throws {
        let v = Tokenizer(styles: ["chopin"]).vocabulary
        for id in 0..<v.count {
            let token = v.token(id)
            #expect(Token(description: token.description) == token)
            #expect(v.id(token) == id)
        }
        #expect(Token(description: "TS_3/4") == .timeSignature(numerator: 3, denominator: 4))
        #expect(Token(description: "PITCH_x") == nil && Token(description: "FOO_1") == nil)
    }

    @Test func jsonRoundTrip() throws {
        let tokenizer = Tokenizer(configuration: .make(stepsPerQuarter: 24, tempoBinsPerOctave: 12), styles: ["mozart"])
        let json = tokenizer.vocabulary.jsonString()
        #expect(json.contains("\"format\":\"cadenza-vocabulary\""))
        let restored = try Tokenizer(vocabularyJSON: json)
        #expect(restored.vocabulary == tokenizer.vocabulary)
        #expect(restored.vocabulary.tokens == tokenizer.vocabulary.tokens)
        #expect(restored.configuration.stepsPerQuarter == 24)
    }

    @Test func badJSONIsRefused() {
        #expect(throws: TokenizationError.self) { try Vocabulary(jsonString: "not json") }
        #expect(throws: TokenizationError.self) { try Vocabulary(jsonString: "{\"format\":\"other\"}") }
        var json = Tokenizer().vocabulary.jsonString()
        json = json.replacingOccurrences(of: "\"stepsPerQuarter\":12", with: "\"stepsPerQuarter\":1000000")
        #expect(throws: TokenizationError.self) { try Vocabulary(jsonString: json) }
        let tampered = Tokenizer().vocabulary.jsonString().replacingOccurrences(of: "\"PITCH_60\"", with: "\"PITCH_61\"")
        #expect(throws: TokenizationError.self) { try Vocabulary(jsonString: tampered) }
    }

    @Test func vocabularyLargerThanSixteenBitIdsIsRefused() throws {
        let base = Vocabulary(configuration: .default).count
        let fits = Vocabulary(configuration: .default, styles: (0..<(Vocabulary.maximumCount - base)).map { "s\($0)" })
        #expect(fits.count == 65_535)
        #expect(try Vocabulary(jsonString: fits.jsonString()).count == 65_535)
        let tooMany = Vocabulary(configuration: .default, styles: (0...(Vocabulary.maximumCount - base)).map { "s\($0)" })
        let expected = TokenizationError.vocabularyTooLarge(count: 65_536, styles: tooMany.styleCount)
        #expect(expected.description == "the vocabulary has 65536 tokens (\(tooMany.styleCount) of them styles), more than the 65535 that 16-bit token ids can hold; this checkpoint cannot be used")
        #expect(throws: expected) { try Vocabulary(jsonString: tooMany.jsonString()) }
        #expect(throws: expected) { try JSONDecoder().decode(Vocabulary.self, from: JSONEncoder().encode(tooMany)) }
        #expect(throws: expected) { try Tokenizer(vocabularyJSON: tooMany.jsonString()) }
    }
}

/// The vocabulary owns its id layout: every id has one kind, each kind is one block, and
/// code elsewhere asks by kind (`ids(of:)`, `kind(of:)`), never by the order of the blocks.
@Suite struct TokenKindLayoutTests {
    @Test(arguments: [TokenizerConfiguration.default, .make(stepsPerQuarter: 24, tempoBinsPerOctave: 4, tempoPerBar: false)])
    func everyIdHasTheKindOfItsBlock(configuration: TokenizerConfiguration) {
        for styles in [[], ["bach", "chopin"]] {
            let v = Vocabulary(configuration: configuration, styles: styles)
            var covered = 0
            for kind in TokenKind.allCases {
                let block = v.ids(of: kind)
                covered += block.count
                for id in block {
                    #expect(v.kind(of: id) == kind)
                    #expect(v.token(id).kind == kind)
                }
            }
            #expect(covered == v.count)  // the blocks cover every id once
            #expect(v.kind(of: -1) == nil && v.kind(of: v.count) == nil)
            #expect(v.ids(of: .style).count == styles.count)
            #expect(v.ids(of: .key).isEmpty == !configuration.keyTokens)
        }
        #expect(TokenKind.allCases.filter(\.isBarHeader) == [.timeSignature, .tempo, .key])
    }
}
