// The one way train, eval and stats read a corpus folder: discover its MIDI files, tokenize
// them on the given threads (through the token cache when there is one), and keep the files
// that make a sequence, collecting the ones skipped with their reason. Nothing is printed;
// the caller reports the skipped files and the progress.
import Foundation
import Tokenization

/// A file of the corpus that could not be used, and why.
public struct SkippedFile: Equatable, Sendable {
    public var relativePath: String
    public var reason: String
}

public struct LoadedCorpus: Sendable {
    /// The usable files (read, tokenized, at least two tokens), in path order.
    public var files: [TokenizedFile]
    public var skipped: [SkippedFile]
    /// MIDI files found under the folder, usable or not.
    public var discovered: Int
    /// Files whose tokens came from the cache.
    public var cacheHits: Int

    /// A hash of the usable files' paths and contents: which data a model saw.
    public var contentHash: String {
        var hash = ContentHash()
        for f in files { hash.add(f.relativePath); hash.add(f.contentHash) }
        return hash.hex
    }
}

public enum CorpusLoader {
    public enum Progress: Sendable {
        case discovered(files: Int)
        case tokenizing(done: Int, total: Int)
    }

    /// Loads the corpus under `directory` for `tokenizer` (with STYLE tokens when its
    /// vocabulary has styles). With `cacheIn`, tokens are read from and saved to the token
    /// cache in that folder (a cache that cannot be saved is returned as `cacheWarning`).
    /// Throws when the folder has no MIDI file or none of them can be used.
    public static func load(_ directory: URL, tokenizer: Tokenizer, threads: Int, cacheIn cacheFolder: URL? = nil,
                            progress: @escaping @Sendable (Progress) -> Void = { _ in }) throws -> (corpus: LoadedCorpus, cacheWarning: String?) {
        let found = try CorpusDiscovery.files(under: directory)
        guard !found.isEmpty else { throw TrainingError.noMIDIFiles(directory: directory.path) }
        progress(.discovered(files: found.count))
        let vocabulary = tokenizer.vocabulary
        let cacheURL = cacheFolder.map { TokenCache.url(in: $0, vocabulary: vocabulary) }
        let job = CorpusTokenization(tokenizer: tokenizer, threads: threads, useStyles: !vocabulary.styles.isEmpty)
        let (tokenized, cacheHits) = job.run(found, cache: cacheURL.flatMap { TokenCache.load($0, vocabulary: vocabulary) }) { done, total in
            progress(.tokenizing(done: done, total: total))
        }
        var cacheWarning: String?
        if let cacheURL, cacheHits < tokenized.count {
            do { try TokenCache.save(tokenized, vocabulary: vocabulary, to: cacheURL) } catch { cacheWarning = "\(error)" }
        }
        var corpus = LoadedCorpus(files: [], skipped: [], discovered: found.count, cacheHits: cacheHits)
        for file in tokenized {
            if let reason = file.failure {
                corpus.skipped.append(SkippedFile(relativePath: file.relativePath, reason: reason))
            } else if file.tokens.count >= 2 {
                corpus.files.append(file)
            }
        }
        guard !corpus.files.isEmpty else {
            throw TrainingError.noUsableFiles(directory: directory.path, skipped: corpus.skipped.count)
        }
        return (corpus, cacheWarning)
    }
}
