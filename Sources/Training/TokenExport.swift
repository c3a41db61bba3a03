// `cadenza tokenize --export OUT DATA_DIR... [--shard I/N]`: tokenizes one part of a corpus
// into OUT as a tokens file (TokenShard) and its manifest (ShardManifest.Part); the export of
// the whole corpus (0/1) also writes the merged manifest.json. The vocabulary is the one
// `cadenza train` would make for the same folders (styles from every file found, not just
// this part's), so the N parts agree. No printing and no clock: the caller reports.
import Foundation
import Tokenization

public struct TokenExport: Sendable {
    public var dataDirectories: [URL]
    public var outputDirectory: URL
    public var selection: ShardSelection = .all
    public var styles = false
    public var validationFraction = 0.05
    public var threads = 2

    public init(dataDirectories: [URL], outputDirectory: URL) {
        self.dataDirectories = dataDirectories
        self.outputDirectory = outputDirectory
    }

    public struct Summary: Sendable {
        public var discoveredFiles: Int
        /// Files of this part (read, skipped or empty).
        public var partFiles: Int
        public var exportedFiles: Int
        public var exportedTokens: Int
        public var skipped: [ShardManifest.Skipped]
        public var emptyFiles: Int
        public var tokensFile: URL
        public var manifest: URL
        /// Set when this export was the whole corpus and manifest.json was written.
        public var merged: ShardManifest.Merged?
    }

    /// Every file under the data folders, in corpus order; a relative path found under two
    /// folders is an error (the split and the corpus hash key files by it).
    public func discover() throws -> [CorpusFile] {
        guard !dataDirectories.isEmpty else { throw TrainingError.invalidOption("give at least one folder of MIDI files to export") }
        var files: [CorpusFile] = []
        var roots: [String: String] = [:]
        for root in dataDirectories {
            for f in try CorpusDiscovery.files(under: root) {
                if let other = roots[f.relativePath] {
                    throw TrainingError.invalidOption("\(f.relativePath) is under both \(other) and \(root.path); give folders whose files have different paths below them")
                }
                roots[f.relativePath] = root.path
                files.append(f)
            }
        }
        files.sort { $0.relativePath < $1.relativePath }
        return files
    }

    public func vocabulary(for files: [CorpusFile]) throws -> Vocabulary {
        let names = styles ? Array(Set(files.compactMap(\.style))).sorted() : []
        let vocabulary = Vocabulary(configuration: .default, styles: names)
        do { try vocabulary.checkSize() } catch {
            throw TrainingError.invalidOption("--styles: \(names.count) composer folders make \(vocabulary.count) tokens, more than the \(Vocabulary.maximumCount) that 16-bit token ids can hold")
        }
        return vocabulary
    }

    /// Runs the export; `progress(done, total)` comes from worker threads (serialised).
    public func run(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Summary {
        guard validationFraction >= 0, validationFraction < 1 else { throw TrainingError.invalidOption("--val-split must be in [0, 1)") }
        guard threads >= 1, threads <= 256 else { throw TrainingError.invalidOption("--threads must be between 1 and 256") }
        let files = try discover()
        guard !files.isEmpty else {
            throw TrainingError.noMIDIFiles(directory: dataDirectories.map(\.path).joined(separator: ", "))
        }
        let vocabulary = try vocabulary(for: files)
        let mine = files.filter { selection.contains(path: $0.relativePath) }
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.io(path: outputDirectory.path, detail: "cannot create the folder: \((error as NSError).localizedDescription)")
        }
        let job = CorpusTokenization(tokenizer: Tokenizer(vocabulary: vocabulary), threads: threads, useStyles: !vocabulary.styles.isEmpty)
        let tokenized = job.run(mine, progress: progress).files
        var usable: [TokenizedFile] = [], skipped: [ShardManifest.Skipped] = [], empty: [String] = []
        for f in tokenized {
            if let reason = f.failure {
                skipped.append(.init(path: f.relativePath, reason: reason))
            } else if f.tokens.count > 1 {
                usable.append(f)
            } else {
                empty.append(f.relativePath)
            }
        }
        let shard = TokenShard(selection: selection, vocabularyJSON: vocabulary.jsonString(), files: usable.map(\.tokens))
        let tokensURL = outputDirectory.appendingPathComponent(TokenShard.fileName(selection))
        let manifestURL = outputDirectory.appendingPathComponent(ShardManifest.partFileName(selection))
        let mergedURL = outputDirectory.appendingPathComponent(ShardManifest.mergedFileName)
        // A manifest.json from an earlier export no longer describes the parts once one changes.
        if selection.count > 1, FileManager.default.fileExists(atPath: mergedURL.path) {
            do { try FileManager.default.removeItem(at: mergedURL) } catch {
                throw TrainingError.io(path: mergedURL.path, detail: "cannot remove the stale merged manifest: \((error as NSError).localizedDescription)")
            }
        }
        try shard.write(to: tokensURL)
        let part = ShardManifest.Part(
            shard_index: selection.index, shard_count: selection.count, tokens_file: tokensURL.lastPathComponent,
            vocabulary: vocabulary.jsonString(), vocabulary_hash: TokenCache.vocabularyHash(vocabulary),
            validation_fraction: validationFraction, discovered_files: files.count,
            files: usable.map { .init(path: $0.relativePath, style: $0.style, hash: ContentHash.hexOf($0.contentHash), tokens: $0.tokens.count) },
            skipped: skipped, empty: empty)
        try ShardManifest.write(part, to: manifestURL)
        var merged: ShardManifest.Merged?
        if selection.count == 1 { merged = try ShardManifest.merge(in: outputDirectory) }
        return Summary(discoveredFiles: files.count, partFiles: mine.count, exportedFiles: usable.count,
                       exportedTokens: shard.tokenCount, skipped: skipped, emptyFiles: empty.count,
                       tokensFile: tokensURL, manifest: manifestURL, merged: merged)
    }
}
