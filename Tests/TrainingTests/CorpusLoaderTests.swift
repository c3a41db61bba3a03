// The one corpus loader of train, eval and stats, on the synthetic corpus with its broken
// file: what is found, tokenized, skipped (with the reason), cached and hashed.
import Foundation
import Testing
import Tokenization
@testable import Training

@Suite struct CorpusLoaderTests {
    @Test func findsTokenizesAndSkipsWithReasons() throws {
        let dir = try TrainingFixtures.temporaryFolder("loader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        let tokenizer = Tokenizer()
        let (loaded, warning) = try CorpusLoader.load(corpus, tokenizer: tokenizer, threads: 2)
        #expect(warning == nil)
        #expect(loaded.discovered == 6)  // notes.txt is not a MIDI file
        #expect(loaded.files.count == 5)
        #expect(loaded.skipped.map(\.relativePath) == ["broken/bad.mid"])
        #expect(!loaded.skipped[0].reason.isEmpty)
        #expect(loaded.files.map(\.relativePath) == loaded.files.map(\.relativePath).sorted())
        #expect(loaded.files.allSatisfy { $0.tokens.first == UInt16(tokenizer.vocabulary.bosID) })
        // One thread gives the same tokens; the cache gives them back without tokenizing.
        let cache = dir.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let first = try CorpusLoader.load(corpus, tokenizer: tokenizer, threads: 1, cacheIn: cache).corpus
        #expect(first.files == loaded.files && first.cacheHits == 0)
        let second = try CorpusLoader.load(corpus, tokenizer: tokenizer, threads: 1, cacheIn: cache).corpus
        #expect(second.cacheHits == 6)
        #expect(second.files == loaded.files)
        #expect(second.contentHash == loaded.contentHash)
    }

    @Test func anEmptyOrUnusableFolderIsAnError() throws {
        let dir = try TrainingFixtures.temporaryFolder("loader")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: TrainingError.noMIDIFiles(directory: dir.path)) { try CorpusLoader.load(dir, tokenizer: Tokenizer(), threads: 1) }
        try Data("MThd broken".utf8).write(to: dir.appendingPathComponent("x.mid"))
        #expect(throws: TrainingError.noUsableFiles(directory: dir.path, skipped: 1)) { try CorpusLoader.load(dir, tokenizer: Tokenizer(), threads: 1) }
    }
}
