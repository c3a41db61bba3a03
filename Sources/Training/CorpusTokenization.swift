// Turning corpus files into token streams on several threads, with a cache. A file that
// cannot be read or parsed becomes a failure (one warning for the caller), not an error.
// The cache (TokenCache) is keyed by each file's path and content hash and by the
// vocabulary (tokenizer settings and styles), so a second run skips the MIDI work.
import Dispatch
import Foundation
import MIDI
import Tokenization

public struct TokenizedFile: Equatable, Sendable {
    public var relativePath: String
    public var style: String?
    public var contentHash: UInt64
    /// Token ids, BOS ... EOS (empty when `failure` is set).
    public var tokens: [UInt16]
    public var failure: String?
}

public struct CorpusTokenization: Sendable {
    public var tokenizer: Tokenizer
    /// Worker threads (both cores by default).
    public var threads: Int
    /// Whether to put STYLE tokens (the file's composer folder) after BOS.
    public var useStyles: Bool

    public init(tokenizer: Tokenizer, threads: Int = 2, useStyles: Bool = false) {
        // Vocabularies from files are checked when read (Vocabulary.checkSize), and train checks its own.
        precondition(tokenizer.vocabulary.count <= Vocabulary.maximumCount, "vocabulary too large for 16-bit token ids")
        self.tokenizer = tokenizer
        self.threads = max(1, threads)
        self.useStyles = useStyles
    }

    /// Tokenizes every file, reusing `cache` entries whose content hash matches; calls
    /// `progress(done, total)` from worker threads (serialised). Results are in `files` order.
    public func run(_ files: [CorpusFile], cache: TokenCache? = nil,
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) -> (files: [TokenizedFile], cacheHits: Int) {
        let results = ResultBox(count: files.count)
        let cached = cache?.entriesByPath ?? [:]
        let tokenizer = self.tokenizer, useStyles = self.useStyles
        DispatchQueue.concurrentPerform(iterations: min(threads, max(files.count, 1))) { _ in
            while let i = results.claim() {
                let file = files[i]
                var result: TokenizedFile
                var hit = false
                do {
                    let bytes = try Data(contentsOf: file.url)
                    let hash = ContentHash.of(bytes)
                    if let entry = cached[file.relativePath], entry.contentHash == hash {
                        result = entry
                        result.style = file.style
                        hit = true
                    } else {
                        result = TokenizedFile(relativePath: file.relativePath, style: file.style, contentHash: hash, tokens: [], failure: nil)
                        do {
                            let midi = try MIDIFile(bytes: [UInt8](bytes), fileName: file.relativePath)
                            let score = PianoScore(midi: midi)
                            let ids = tokenizer.encode(score, style: useStyles ? file.style : nil)
                            result.tokens = ids.map { UInt16($0) }
                        } catch {
                            result.failure = "\(error)"
                        }
                    }
                } catch {
                    result = TokenizedFile(relativePath: file.relativePath, style: file.style, contentHash: 0, tokens: [],
                                           failure: "cannot read: \((error as NSError).localizedDescription)")
                }
                results.store(i, result, hit: hit, progress: progress)
            }
        }
        return (results.values.map { $0! }, results.hits)
    }
}

/// Work distribution and results shared by the worker threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var values: [TokenizedFile?]
    private(set) var hits = 0
    private var done = 0

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < values.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ i: Int, _ value: TokenizedFile, hit: Bool, progress: (Int, Int) -> Void) {
        lock.lock(); defer { lock.unlock() }
        values[i] = value
        if hit { hits += 1 }
        done += 1
        progress(done, values.count)
    }
}
