// The token cache in the save folder: `tokens-<vocabulary hash>.cache`, one file per
// vocabulary (tokenizer settings and styles). Format, version 1:
//   "CADENZA-TOKENS-1" (16 bytes), UInt64 LE index length, JSON index
//   {"vocabulary_hash": hex, "files": [{"path", "hash" (hex), "count", "failure"?}]},
//   then every file's tokens as UInt16 LE, in index order.
// A cache that is missing, corrupt or for another vocabulary is ignored (and rewritten).
import Foundation
import FileSafety
import NN
import Tokenization

public struct TokenCache: Sendable {
    static let magic = Array("CADENZA-TOKENS-1".utf8)

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

    private struct Index: Codable {
        struct File: Codable { var path: String; var hash: String; var count: Int; var failure: String? }
        var vocabulary_hash: String
        var files: [File]
    }

    /// The cache at `url` if it is readable, intact and for `vocabulary`; nil otherwise.
    public static func load(_ url: URL, vocabulary: Vocabulary) -> TokenCache? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe), data.count >= 24,
              Array(data.prefix(16)) == magic else { return nil }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[data.startIndex + 16 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - 24) else { return nil }
        let indexEnd = 24 + Int(length)
        guard let index = try? JSONDecoder().decode(Index.self, from: data.subdata(in: 24..<indexEnd)),
              index.vocabulary_hash == vocabularyHash(vocabulary) else { return nil }
        var total = 0
        for f in index.files {
            guard f.count >= 0, f.count <= (data.count - indexEnd) / 2 else { return nil }
            total += f.count
        }
        guard total * 2 == data.count - indexEnd else { return nil }
        var entries: [String: TokenizedFile] = [:]
        var offset = indexEnd
        let limit = UInt16(vocabulary.count)
        for f in index.files {
            guard let hash = UInt64(f.hash, radix: 16) else { return nil }
            var tokens = [UInt16](repeating: 0, count: f.count)
            data.withUnsafeBytes { raw in
                for i in 0..<f.count { tokens[i] = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self)) }
            }
            guard tokens.allSatisfy({ $0 < limit }) else { return nil }
            offset += 2 * f.count
            entries[f.path] = TokenizedFile(relativePath: f.path, style: nil, contentHash: hash, tokens: tokens, failure: f.failure)
        }
        return TokenCache(vocabularyHash: index.vocabulary_hash, entriesByPath: entries)
    }

    /// Writes the cache for `files` atomically.
    public static func save(_ files: [TokenizedFile], vocabulary: Vocabulary, to url: URL) throws {
        let index = Index(vocabulary_hash: vocabularyHash(vocabulary), files: files.map {
            Index.File(path: $0.relativePath, hash: String($0.contentHash, radix: 16), count: $0.tokens.count, failure: $0.failure)
        })
        let json = try JSONEncoder().encode(index)
        var out = Data(magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        var bytes = [UInt8](repeating: 0, count: 2 * files.reduce(0) { $0 + $1.tokens.count })
        var at = 0
        for f in files {
            for t in f.tokens {
                bytes[at] = UInt8(t & 0xFF)
                bytes[at + 1] = UInt8(t >> 8)
                at += 2
            }
        }
        out.append(contentsOf: bytes)
        do {
            try AtomicFile.write(out, to: url)
        } catch {
            throw TrainingError.io(path: url.path, detail: "cannot write the token cache: \((error as? AtomicFileError)?.reason ?? "\(error)")")
        }
    }
}
