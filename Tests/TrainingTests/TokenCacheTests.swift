// The token cache's bytes (TokenCacheFormat) as the fuzzer sees them: a round trip through
// real tokens, and every damaged or lying cache turned away (nil, never a trap or a huge
// allocation), including caches read from a slice of a larger buffer.
import Foundation
import Testing
import Tokenization
@testable import Training

@Suite struct TokenCacheTests {
    let vocabulary = Vocabulary(configuration: .default)

    func files() -> [TokenizedFile] {
        let tokens = Tokenizer(vocabulary: vocabulary).encode(TrainingFixtures.piece(seed: 3, notes: 30)).map { UInt16($0) }
        return [TokenizedFile(relativePath: "alpha/a.mid", style: nil, contentHash: 0x9E37_79B9_7F4A_7C15, tokens: tokens, failure: nil),
                TokenizedFile(relativePath: "bad.mid", style: nil, contentHash: 1, tokens: [], failure: "not a MIDI file")]
    }

    func bytes() throws -> Data {
        let entries = files().map { TokenCacheFormat.Entry(path: $0.relativePath, contentHash: $0.contentHash, tokens: $0.tokens, failure: $0.failure) }
        return try TokenCacheFormat.encode(entries, vocabularyHash: TokenCache.vocabularyHash(vocabulary))
    }

    @Test func roundTripsThroughAFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = TokenCache.url(in: dir, vocabulary: vocabulary)
        try TokenCache.save(files(), vocabulary: vocabulary, to: url)
        let cache = try #require(TokenCache.load(url, vocabulary: vocabulary))
        #expect(cache.entriesByPath["alpha/a.mid"] == files()[0])
        #expect(cache.entriesByPath["bad.mid"]?.failure == "not a MIDI file")
        // The same bytes in memory, and as a slice that does not start at index 0.
        let data = try Data(contentsOf: url)
        #expect(TokenCache.load(data: data, vocabulary: vocabulary)?.entriesByPath.count == 2)
        let padded = Data([1, 2, 3]) + data
        #expect(TokenCache.load(data: padded[3...], vocabulary: vocabulary)?.entriesByPath["alpha/a.mid"] == files()[0])
    }

    @Test func anotherVocabularyIsNotUsed() throws {
        var configuration = TokenizerConfiguration.default
        configuration.lowestPitch = 30
        #expect(TokenCache.load(data: try bytes(), vocabulary: Vocabulary(configuration: configuration)) == nil)
    }

    @Test func everyTruncationIsRejected() throws {
        let good = try bytes()
        for length in 0..<good.count {
            #expect(TokenCacheFormat.decode(good.prefix(length), vocabularySize: vocabulary.count) == nil, "truncated to \(length)")
        }
        #expect(TokenCacheFormat.decode(good, vocabularySize: vocabulary.count) != nil)
    }

    /// The index's claims checked against the bytes present.
    @Test func lyingIndexesAreRejected() throws {
        func cache(_ index: String, tokens: [UInt16] = [1, 2, 3]) -> Data {
            let json = Data(index.utf8)
            var out = Data("CADENZA-TOKENS-1".utf8)
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(json)
            for t in tokens { out.append(contentsOf: [UInt8(t & 0xFF), UInt8(t >> 8)]) }
            return out
        }
        let size = vocabulary.count
        let ok = #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"ff","count":3}]}"#
        #expect(TokenCacheFormat.decode(cache(ok), vocabularySize: size)?.entries.first?.tokens == [1, 2, 3])
        for (label, index) in [
            ("count beyond the data", #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"ff","count":4}]}"#),
            ("negative count", #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"ff","count":-1},{"path":"b","hash":"1","count":4}]}"#),
            ("huge count", #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"ff","count":9223372036854775807}]}"#),
            ("counts that overflow when added", #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"ff","count":3},{"path":"b","hash":"1","count":9223372036854775807}]}"#),
            ("bad hash", #"{"vocabulary_hash":"x","files":[{"path":"a","hash":"zz","count":3}]}"#),
            ("not JSON", #"{"vocabulary_hash":"x","files":["#),
        ] {
            #expect(TokenCacheFormat.decode(cache(index), vocabularySize: size) == nil, "\(label)")
        }
        // A token the vocabulary does not have.
        #expect(TokenCacheFormat.decode(cache(ok, tokens: [1, 2, UInt16(size)]), vocabularySize: size) == nil)
        // An index length of 2^64 - 1.
        var huge = cache(ok)
        huge.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        #expect(TokenCacheFormat.decode(huge, vocabularySize: size) == nil)
    }
}
