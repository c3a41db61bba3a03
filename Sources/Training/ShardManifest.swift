// The manifests of an exported corpus (JSON, format "cadenza-token-shards", version 1).
// Each export of part I/N writes `manifest-IIIII-of-NNNNN.json` beside its tokens file: the
// files of that part it could use (path, composer folder, content hash, token count; entry k
// is file k of the tokens file), the files it skipped and why, and the tokenizer. The merge
// joins the N parts into `manifest.json`, the one the trainer reads: every file in corpus
// order (sorted paths) with its part, its index there and its split, and the corpus hash and
// counts `cadenza train` writes into checkpoints. The split is made here, over the whole
// corpus, with the rule `cadenza train` uses (CorpusSplit), so both hold out the same files.
import FileSafety
import Foundation
import NN
import Tokenization

public enum ShardManifest {
    public static let formatName = "cadenza-token-shards"
    public static let formatVersion = 1
    public static let mergedFileName = "manifest.json"

    public static func partFileName(_ selection: ShardSelection) -> String { "manifest-\(selection.fileSuffix).json" }

    public struct File: Codable, Equatable, Sendable {
        public var path: String
        public var style: String?
        /// The file's content hash (ContentHash, 16 hex digits).
        public var hash: String
        public var tokens: Int
    }

    public struct Skipped: Codable, Equatable, Sendable {
        public var path: String
        public var reason: String
    }

    /// The token ids the trainer's augmentation needs: PITCH ids (consecutive semitones) and
    /// the 24 KEY ids (12 majors from C, then 12 minors), as half-open [start, end) ranges.
    public struct TokenRanges: Codable, Equatable, Sendable {
        public var pitch: [Int]
        public var key: [Int]

        init(_ v: Vocabulary) {
            pitch = [v.pitchStart, v.durationStart]
            key = [v.keyStart, v.count]
        }
    }

    /// One part, as its export wrote it.
    public struct Part: Codable, Equatable, Sendable {
        public var format = ShardManifest.formatName
        public var version = ShardManifest.formatVersion
        public var shard_index: Int
        public var shard_count: Int
        public var tokens_file: String
        /// The tokenizer's JSON (settings and styles), as checkpoints store it, and its hash.
        public var vocabulary: String
        public var vocabulary_hash: String
        public var validation_fraction: Double
        /// .mid/.midi files found under the data folders (all parts).
        public var discovered_files: Int
        /// Usable files of this part, in corpus order; entry k is file k of tokens_file.
        public var files: [File]
        /// Files of this part that could not be read or parsed.
        public var skipped: [Skipped]
        /// Files of this part that tokenize to BOS alone (nothing to predict; train drops them too).
        public var empty: [String]
    }

    /// The whole corpus: what the trainer reads.
    public struct Merged: Codable, Equatable, Sendable {
        public struct Entry: Codable, Equatable, Sendable {
            public var path: String
            public var style: String?
            public var hash: String
            public var tokens: Int
            public var shard: Int
            public var index: Int
            /// "train" or "validation".
            public var split: String
        }
        public var format = ShardManifest.formatName
        public var version = ShardManifest.formatVersion
        public var shard_count: Int
        /// The tokens file of each part, by part index.
        public var tokens_files: [String]
        public var vocabulary: String
        public var vocabulary_hash: String
        public var vocabulary_size: Int
        public var token_ids: TokenRanges
        public var validation_fraction: Double
        /// As `cadenza train` records them: usable files and a hash of their paths and contents.
        public var corpus_files: Int
        public var corpus_hash: String
        public var discovered_files: Int
        public var skipped_files: Int
        public var empty_files: Int
        public var training_files: Int
        public var validation_files: Int
        public var training_tokens: Int
        public var validation_tokens: Int
        public var files: [Entry]
    }

    // MARK: - reading and writing

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            try AtomicFile.write(try encoder.encode(value), to: url)
        } catch let e as AtomicFileError {
            throw TrainingError.io(path: url.path, detail: e.reason)
        }
    }

    static func read<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        do { _ = try InputFile.regularFileSize(atPath: url.path) } catch let e as InputFileError {
            throw TrainingError.io(path: url.path, detail: "cannot read: \(e)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.io(path: url.path, detail: "cannot read: \((error as NSError).localizedDescription)")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw TrainingError.io(path: url.path, detail: "not a token-shard manifest (\(formatName) version \(formatVersion)): \(error)")
        }
    }

    public static func readMerged(in directory: URL) throws -> Merged {
        let merged = try read(Merged.self, from: directory.appendingPathComponent(mergedFileName))
        guard merged.format == formatName, merged.version == formatVersion else {
            throw TrainingError.io(path: directory.appendingPathComponent(mergedFileName).path, detail: "format \(merged.format) version \(merged.version) is not \(formatName) version \(formatVersion)")
        }
        return merged
    }

    // MARK: - merging

    /// Joins the part manifests in `directory` (all N parts of one export) into manifest.json.
    /// Refuses parts of different exports (N, tokenizer or split fraction), a missing part and
    /// a file that two parts both hold.
    @discardableResult
    public static func merge(in directory: URL) throws -> Merged {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw TrainingError.io(path: directory.path, detail: "cannot list the folder: \((error as NSError).localizedDescription)")
        }
        let partNames = names.filter { $0.hasPrefix("manifest-") && $0.hasSuffix(".json") }.sorted()
        guard !partNames.isEmpty else {
            throw TrainingError.io(path: directory.path, detail: "no part manifests (manifest-I-of-N.json); export with 'cadenza tokenize --export' first")
        }
        var parts: [Part] = []
        for name in partNames {
            let url = directory.appendingPathComponent(name)
            let part = try read(Part.self, from: url)
            guard part.format == formatName, part.version == formatVersion else {
                throw TrainingError.io(path: url.path, detail: "format \(part.format) version \(part.version) is not \(formatName) version \(formatVersion)")
            }
            parts.append(part)
        }
        let first = parts[0]
        for (part, name) in zip(parts, partNames) {
            func differ(_ what: String) -> TrainingError {
                .io(path: directory.appendingPathComponent(name).path, detail: """
                    comes from another export than \(partNames[0]) (\(what) differs); remove the parts of the old export
                    """)
            }
            if part.shard_count != first.shard_count { throw differ("the number of parts N") }
            if part.vocabulary != first.vocabulary { throw differ("the tokenizer or --styles") }
            if part.validation_fraction != first.validation_fraction { throw differ("--val-split") }
            if part.discovered_files != first.discovered_files { throw differ("the number of files found") }
        }
        let n = first.shard_count
        let present = Set(parts.map(\.shard_index))
        let missing = (0..<n).filter { !present.contains($0) }
        guard missing.isEmpty, parts.count == n else {
            throw TrainingError.io(path: directory.path, detail: """
                the export has \(n) parts but \(missing.isEmpty ? "some are given twice" : "part(s) \(missing.map(String.init).joined(separator: ", ")) are missing"); \
                run 'cadenza tokenize --export \(directory.path) ... --shard I/\(n)' for each
                """)
        }
        parts.sort { $0.shard_index < $1.shard_index }
        for part in parts { try checkTokensFile(of: part, in: directory) }
        var all: [(file: File, shard: Int, index: Int)] = []
        for part in parts {
            for (k, f) in part.files.enumerated() { all.append((f, part.shard_index, k)) }
        }
        all.sort { $0.file.path < $1.file.path }
        for (a, b) in zip(all, all.dropFirst()) where a.file.path == b.file.path {
            throw TrainingError.io(path: directory.path, detail: "\(a.file.path) is in both part \(a.shard) and part \(b.shard)")
        }
        // The split and the corpus hash, exactly as TrainingRun makes them.
        let asTokenized = all.map { TokenizedFile(relativePath: $0.file.path, style: $0.file.style, contentHash: 0, tokens: [], failure: nil) }
        let split = CorpusSplit(asTokenized, validationFraction: first.validation_fraction)
        let validation = Set(split.validation.map(\.relativePath))
        var corpusHash = ContentHash()
        var entries: [Merged.Entry] = []
        var trainingTokens = 0, validationTokens = 0
        for (f, shard, index) in all {
            guard let hash = UInt64(f.hash, radix: 16) else {
                throw TrainingError.io(path: directory.path, detail: "\(f.path): content hash '\(f.hash)' is not hexadecimal")
            }
            corpusHash.add(f.path)
            corpusHash.add(hash)
            let held = validation.contains(f.path)
            if held { validationTokens += f.tokens } else { trainingTokens += f.tokens }
            entries.append(.init(path: f.path, style: f.style, hash: f.hash, tokens: f.tokens, shard: shard, index: index,
                                 split: held ? "validation" : "train"))
        }
        let vocabularyJSON = first.vocabulary
        let vocabulary: Vocabulary
        do { vocabulary = try Vocabulary(jsonString: vocabularyJSON) } catch {
            throw TrainingError.io(path: directory.appendingPathComponent(partNames[0]).path, detail: "its vocabulary cannot be read: \(error)")
        }
        let merged = Merged(
            shard_count: n, tokens_files: parts.map(\.tokens_file), vocabulary: vocabularyJSON,
            vocabulary_hash: first.vocabulary_hash, vocabulary_size: vocabulary.count, token_ids: TokenRanges(vocabulary),
            validation_fraction: first.validation_fraction, corpus_files: entries.count, corpus_hash: corpusHash.hex,
            discovered_files: first.discovered_files, skipped_files: parts.reduce(0) { $0 + $1.skipped.count },
            empty_files: parts.reduce(0) { $0 + $1.empty.count }, training_files: split.training.count,
            validation_files: split.validation.count, training_tokens: trainingTokens, validation_tokens: validationTokens,
            files: entries)
        try write(merged, to: directory.appendingPathComponent(mergedFileName))
        return merged
    }

    /// The part's tokens file must exist and say it holds this part's files and tokens (its
    /// header only: the file is mapped, not read).
    static func checkTokensFile(of part: Part, in directory: URL) throws {
        let url = directory.appendingPathComponent(part.tokens_file)
        let selection = "\(part.shard_index)/\(part.shard_count)"
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.io(path: url.path, detail: "the tokens file of part \(selection) is missing")
        }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch let e as SafeTensorsError {
            throw TrainingError.io(path: url.path, detail: e.description)
        }
        let m = file.metadata
        let tokens = part.files.reduce(0) { $0 + $1.tokens }
        guard m["cadenza_shards"] == TokenShard.formatVersion, m["shard"] == selection, m["files"] == String(part.files.count),
              m["tokens"] == String(tokens), m["vocabulary"] == part.vocabulary else {
            throw TrainingError.io(path: url.path, detail: """
                does not hold what its manifest lists (part \(selection), \(part.files.count) files, \(tokens) tokens); export the part again
                """)
        }
    }
}
