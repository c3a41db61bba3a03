// The bytes of a token cache file, version 1:
//   "CADENZA-TOKENS-1" (16 bytes), UInt64 LE index length, JSON index
//   {"vocabulary_hash": hex, "files": [{"path", "hash" (hex), "count", "failure"?}]},
//   then every file's tokens as UInt16 LE, in index order.
// Pure: bytes in, entries out (and back); no files, no tokenizer, so the fuzzer
// (Fuzz/TokenCacheFuzzer.swift) feeds it bytes directly. TokenCache does the rest.
import Foundation

public enum TokenCacheFormat {
    static let magic = Array("CADENZA-TOKENS-1".utf8)
    static let headerBytes = 24

    /// One file's cached tokens.
    public struct Entry: Equatable, Sendable {
        public var path: String
        public var contentHash: UInt64
        public var tokens: [UInt16]
        public var failure: String?
    }

    private struct Index: Codable {
        struct File: Codable { var path: String; var hash: String; var count: Int; var failure: String? }
        var vocabulary_hash: String
        var files: [File]
    }

    /// The vocabulary hash and entries of cache bytes, or nil for anything that is not an
    /// intact cache whose tokens are all below `vocabularySize`. Never traps: every length
    /// is checked against the bytes present before anything is allocated from it.
    public static func decode(_ bytes: Data, vocabularySize: Int) -> (vocabularyHash: String, entries: [Entry])? {
        let data = bytes.startIndex == 0 ? bytes : Data(bytes)   // offsets below count from 0
        guard data.count >= headerBytes, Array(data.prefix(16)) == magic else { return nil }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[16 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - headerBytes) else { return nil }
        let indexEnd = headerBytes + Int(length)
        guard let index = try? JSONDecoder().decode(Index.self, from: data.subdata(in: headerBytes..<indexEnd)) else { return nil }
        let tokenCount = (data.count - indexEnd) / 2
        var total = 0
        for f in index.files {
            guard f.count >= 0, f.count <= tokenCount - total else { return nil }
            total += f.count
        }
        guard total * 2 == data.count - indexEnd else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(index.files.count)
        var offset = indexEnd
        for f in index.files {
            guard let hash = UInt64(f.hash, radix: 16) else { return nil }
            var tokens = [UInt16](repeating: 0, count: f.count)
            var inRange = true
            data.withUnsafeBytes { raw in
                for i in 0..<f.count {
                    let t = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * i, as: UInt16.self))
                    if Int(t) >= vocabularySize { inRange = false; return }
                    tokens[i] = t
                }
            }
            guard inRange else { return nil }
            offset += 2 * f.count
            entries.append(Entry(path: f.path, contentHash: hash, tokens: tokens, failure: f.failure))
        }
        return (index.vocabulary_hash, entries)
    }

    /// The cache bytes for `entries` under `vocabularyHash`.
    public static func encode(_ entries: [Entry], vocabularyHash: String) throws -> Data {
        let index = Index(vocabulary_hash: vocabularyHash, files: entries.map {
            Index.File(path: $0.path, hash: String($0.contentHash, radix: 16), count: $0.tokens.count, failure: $0.failure)
        })
        let json = try JSONEncoder().encode(index)
        var out = Data(magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        var bytes = [UInt8](repeating: 0, count: 2 * entries.reduce(0) { $0 + $1.tokens.count })
        var at = 0
        for e in entries {
            for t in e.tokens {
                bytes[at] = UInt8(t & 0xFF)
                bytes[at + 1] = UInt8(t >> 8)
                at += 2
            }
        }
        out.append(contentsOf: bytes)
        return out
    }
}
