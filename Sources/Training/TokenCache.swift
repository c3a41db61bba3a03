// The token cache in the save folder: `tokens-<vocabulary hash>.cache`, one file per
// vocabulary (tokenizer settings and styles). The bytes are TokenCacheFormat's.
// A cache that is missing, corrupt or for another vocabulary is ignored (and rewritten).
import Foundation
import FileSafety
import NN
import Tokenization

public struct TokenCache: Sendable {
    public var vocabularyHash: String
    public var entriesByPath: [String: TokenizedFile]

    public static func vocabularyHash(_ vocabulary: Vocabulary) -> String {
        var h = ContentHash()
        h.add(vocabulary.jsonString())
        return h.hex
    }

    public static func url(in folder: URL, vocabulary: Vocabulary) -> URL {
        folder.appendingPathComponent("tokens-\(vocabularyHash(vocabulary)).cache")
    }

    /// The cache at `url` if it is readable, intact and for `vocabulary`; nil otherwise.
    public static func load(_ url: URL, vocabulary: Vocabulary) -> TokenCache? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { return nil }
        return load(data: data, vocabulary: vocabulary)
    }

    /// The cache in `data` if it is intact and for `vocabulary`; nil otherwise.
    public static func load(data: Data, vocabulary: Vocabulary) -> TokenCache? {
        guard let (hash, entries) = TokenCacheFormat.decode(data, vocabularySize: vocabulary.count),
              hash == vocabularyHash(vocabulary) else { return nil }
        var byPath: [String: TokenizedFile] = [:]
        for e in entries {
            byPath[e.path] = TokenizedFile(relativePath: e.path, style: nil, contentHash: e.contentHash, tokens: e.tokens, failure: e.failure)
        }
        return TokenCache(vocabularyHash: hash, entriesByPath: byPath)
    }

    /// Writes the cache for `files` atomically.
    public static func save(_ files: [TokenizedFile], vocabulary: Vocabulary, to url: URL) throws {
        let entries = files.map {
            TokenCacheFormat.Entry(path: $0.relativePath, contentHash: $0.contentHash, tokens: $0.tokens, failure: $0.failure)
        }
        let out = try TokenCacheFormat.encode(entries, vocabularyHash: vocabularyHash(vocabulary))
        do {
            try AtomicFile.write(out, to: url)
        } catch {
            throw TrainingError.io(path: url.path, detail: "cannot write the token cache: \((error as? AtomicFileError)?.reason ?? "\(error)")")
        }
    }
}
