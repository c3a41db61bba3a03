// Token shards for other trainers: `--shard I/N` parsing and its deterministic split of a
// corpus, the tokens file round trip and its checks, and an export in parts merged to exactly
// the export of the whole corpus, with the split and corpus hash `cadenza train` makes.
import Foundation
import NN
import Testing
import Tokenization
@testable import Training

@Suite struct TokenShardTests {
    @Test func shardSelectionParsesIOverNAndRejectsTheRest() throws {
        #expect(try ShardSelection(parsing: "0/1") == .all)
        let s = try ShardSelection(parsing: "3/8")
        #expect(s.index == 3 && s.count == 8)
        #expect(s.fileSuffix == "00003-of-00008")
        for bad in ["", "1", "2/2", "-1/2", "1/-2", "a/b", "0/0", "0/100000", "1/2/3", "+1/2", " 1/2", "1/ 2", "1.0/2", "/2", "1/"] {
            #expect(throws: TrainingError.self, "'\(bad)'") { try ShardSelection(parsing: bad) }
        }
    }

    @Test func everyFileIsInExactlyOnePartWhateverTheOtherFiles() throws {
        let paths = (0..<2000).map { "composer\($0 % 7)/piece-\($0).mid" }
        let parts = try (0..<4).map { try ShardSelection(index: $0, count: 4) }
        var sizes = [0, 0, 0, 0]
        for p in paths {
            let owners = parts.filter { $0.contains(path: p) }
            #expect(owners.count == 1)
            sizes[owners[0].index] += 1
            // The part depends on the path alone (and N): asking again, or another selection object, agrees.
            #expect(try ShardSelection(index: 0, count: 4).part(ofPath: p) == owners[0].index)
        }
        // Balanced within a few percent: each part holds 500 ± 60 of the 2000.
        #expect(sizes.allSatisfy { abs($0 - 500) < 60 }, "\(sizes)")
        #expect(paths.allSatisfy { ShardSelection.all.contains(path: $0) })
    }

    @Test func tokensFileRoundTripsAndRejectsBadContents() throws {
        let dir = try TrainingFixtures.temporaryFolder("shard")
        defer { try? FileManager.default.removeItem(at: dir) }
        let shard = TokenShard(selection: try ShardSelection(parsing: "1/3"), vocabularyJSON: "{\"v\":1}",
                               files: [[1, 5, 9, 2], [1, 2], [1, 300, 7, 7, 2]])
        let url = dir.appendingPathComponent(TokenShard.fileName(shard.selection))
        #expect(url.lastPathComponent == "tokens-00001-of-00003.safetensors")
        try shard.write(to: url)
        #expect(try TokenShard.read(url, vocabularySize: 301) == shard)
        // The layout the Python trainer reads: U16 tokens, I64 offsets, metadata.
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.entry("tokens")?.dtype == .u16 && file.entry("tokens")?.shape == [11])
        #expect(file.entry("offsets")?.dtype == .i64 && file.entry("offsets")?.shape == [4])
        #expect(file.metadata["shard"] == "1/3" && file.metadata["files"] == "3" && file.metadata["tokens"] == "11")
        // An id outside the vocabulary is refused, naming the file.
        #expect(throws: TrainingError.self) { try TokenShard.read(url, vocabularySize: 300) }
        // Offsets that do not add up.
        var writer = SafeTensorsWriter(metadata: ["cadenza_shards": "1", "shard": "0/1", "vocabulary": "{}"])
        try writer.add("tokens", shape: [3], uint16s: [1, 2, 3])
        try writer.add("offsets", shape: [3], int64s: [0, 2, 5])
        let broken = dir.appendingPathComponent("broken.safetensors")
        try writer.write(to: broken)
        #expect(throws: TrainingError.self) { try TokenShard.read(broken, vocabularySize: 10) }
        // A checkpoint is not a shard.
        #expect(throws: TrainingError.self) {
            try TokenShard.read(TrainingFixtures.fixtures.appendingPathComponent("checkpoints/torch_tiny.safetensors"), vocabularySize: 10)
        }
    }

    /// The fixture MIDI files plus one unreadable file, in two composer folders; the number of MIDI files.
    static func corpus(in dir: URL) throws -> (URL, Int) {
        let corpus = dir.appendingPathComponent("corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: TrainingFixtures.fixtures.path).filter { $0.hasSuffix(".mid") }.sorted()
        #expect(names.count >= 4)
        for (k, name) in names.enumerated() {
            let folder = corpus.appendingPathComponent(k % 2 == 0 ? "even" : "odd")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: TrainingFixtures.fixtures.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data("MThd not really".utf8).write(to: corpus.appendingPathComponent("odd/broken.mid"))
        return (corpus, names.count)
    }

    @Test func partsMergeToExactlyTheWholeExport() throws {
        let dir = try TrainingFixtures.temporaryFolder("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (corpus, count) = try Self.corpus(in: dir)
        func export(_ out: String, _ selection: ShardSelection) throws -> TokenExport.Summary {
            var job = TokenExport(dataDirectories: [corpus], outputDirectory: dir.appendingPathComponent(out))
            job.selection = selection
            job.styles = true
            job.validationFraction = 0.25
            return try job.run()
        }
        let whole = try export("whole", .all)
        #expect(whole.discoveredFiles == count + 1 && whole.exportedFiles == count && whole.skipped.map(\.path) == ["odd/broken.mid"])
        let merged = try #require(whole.merged)
        let held = Int((0.25 * Double(count)).rounded(.up))
        #expect(merged.validation_files == held && merged.training_files == count - held && merged.skipped_files == 1)

        let a = try export("parts", try ShardSelection(parsing: "0/2"))
        #expect(a.merged == nil)
        #expect(throws: TrainingError.self) { try ShardManifest.merge(in: dir.appendingPathComponent("parts")) }  // part 1 missing
        let b = try export("parts", try ShardSelection(parsing: "1/2"))
        #expect(a.partFiles + b.partFiles == count + 1 && a.partFiles > 0 && b.partFiles > 0)
        let joined = try ShardManifest.merge(in: dir.appendingPathComponent("parts"))

        // Same files, hashes, token counts, splits, corpus hash and vocabulary; only where they live differs.
        func key(_ e: ShardManifest.Merged.Entry) -> String { "\(e.path) \(e.style ?? "-") \(e.hash) \(e.tokens) \(e.split)" }
        #expect(joined.files.map(key) == merged.files.map(key))
        #expect(joined.corpus_hash == merged.corpus_hash && joined.vocabulary == merged.vocabulary)
        #expect(joined.training_tokens == merged.training_tokens && joined.validation_tokens == merged.validation_tokens)
        #expect(joined.skipped_files == 1 && joined.shard_count == 2)
        // And exactly the same tokens for every file.
        func tokens(_ m: ShardManifest.Merged, in out: String) throws -> [String: [UInt16]] {
            let shards = try m.tokens_files.map { try TokenShard.read(dir.appendingPathComponent(out).appendingPathComponent($0), vocabularySize: m.vocabulary_size) }
            var byPath: [String: [UInt16]] = [:]
            for e in m.files {
                let t = shards[e.shard].files[e.index]
                #expect(t.count == e.tokens)
                byPath[e.path] = t
            }
            return byPath
        }
        let wholeTokens = try tokens(merged, in: "whole")
        #expect(try tokens(joined, in: "parts") == wholeTokens)
        // Styles came from every file found, so both parts have the two composer folders.
        let vocabulary = try Vocabulary(jsonString: joined.vocabulary)
        #expect(vocabulary.styles == ["even", "odd"])
        #expect(joined.token_ids.pitch == [vocabulary.pitchStart, vocabulary.durationStart])
        #expect(wholeTokens.values.allSatisfy { $0.first == 1 && $0.last == 2 })

        // A part of another export (another N) in the folder is refused by the merge.
        _ = try export("parts", try ShardSelection(parsing: "0/3"))
        #expect(throws: TrainingError.self) { try ShardManifest.merge(in: dir.appendingPathComponent("parts")) }
    }

    @Test func exportHoldsOutTheFilesTrainHoldsOutAndHashesTheCorpusAlike() throws {
        let dir = try TrainingFixtures.temporaryFolder("export-train")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        var job = TokenExport(dataDirectories: [corpus], outputDirectory: dir.appendingPathComponent("shards"))
        job.validationFraction = 0.25
        job.styles = true
        let merged = try #require(try job.run().merged)
        var options = TrainingFixtures.options(corpus: corpus, save: dir.appendingPathComponent("save"))
        options.epochs = 1
        options.styles = true
        var validationFiles = 0, trainingTokens = 0
        let run = TrainingRun(options: options, clock: { 0 }, onEvent: { event in
            if case .corpusReady(_, let vf, let tt, _, _, _) = event { validationFiles = vf; trainingTokens = tt }
        })
        let outcome = try run.run()
        let checkpoint = try Checkpoint.load(from: try #require(outcome.lastCheckpoint))
        #expect(checkpoint.metadata.corpusHash == merged.corpus_hash)
        #expect(checkpoint.metadata.corpusFileCount == merged.corpus_files)
        #expect(checkpoint.metadata.vocabularyJSON == merged.vocabulary)
        #expect(validationFiles == merged.validation_files && trainingTokens == merged.training_tokens)
    }

    @Test func mergeRefusesATokensFileThatIsNotItsParts() throws {
        let dir = try TrainingFixtures.temporaryFolder("export-swap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        let out = dir.appendingPathComponent("parts")
        for i in 0..<2 {
            var job = TokenExport(dataDirectories: [corpus], outputDirectory: out)
            job.selection = try ShardSelection(index: i, count: 2)
            _ = try job.run()
        }
        try ShardManifest.merge(in: out)
        let zero = out.appendingPathComponent("tokens-00000-of-00002.safetensors")
        let one = out.appendingPathComponent("tokens-00001-of-00002.safetensors")
        try FileManager.default.removeItem(at: zero)
        #expect(throws: TrainingError.self) { try ShardManifest.merge(in: out) }  // missing
        try FileManager.default.copyItem(at: one, to: zero)
        #expect(throws: TrainingError.self) { try ShardManifest.merge(in: out) }  // part 1's tokens under part 0's name
    }

    @Test func exportRefusesAPathUnderTwoFoldersAndNoFiles() throws {
        let dir = try TrainingFixtures.temporaryFolder("export-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = try TrainingFixtures.makeCorpus(in: dir.appendingPathComponent("one"))
        let two = try TrainingFixtures.makeCorpus(in: dir.appendingPathComponent("two"))
        let job = TokenExport(dataDirectories: [one, two], outputDirectory: dir.appendingPathComponent("out"))
        #expect(throws: TrainingError.self) { try job.run() }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: TrainingError.noMIDIFiles(directory: empty.path)) {
            try TokenExport(dataDirectories: [empty], outputDirectory: dir.appendingPathComponent("out")).run()
        }
    }
}
