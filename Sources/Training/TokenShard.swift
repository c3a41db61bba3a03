// One part of an exported corpus, `tokens-IIIII-of-NNNNN.safetensors`, format version 1:
//   tokens   U16 [total]      every file's ids (BOS ... EOS), one file after another
//   offsets  I64 [files + 1]  file k is tokens[offsets[k] ..< offsets[k+1]]; offsets[0] = 0
//   __metadata__: cadenza_shards="1", shard="I/N", files, tokens, vocabulary (the tokenizer's
//   JSON: settings and styles, as checkpoints store it).
// File k is entry k of the part's manifest (ShardManifest.swift), which names it. numpy and
// safetensors read it directly (safetensors.numpy.load_file); the Python trainer does.
import Foundation
import NN

public struct TokenShard: Equatable, Sendable {
    public static let formatVersion = "1"

    public var selection: ShardSelection
    public var vocabularyJSON: String
    /// Token ids per file, in manifest order.
    public var files: [[UInt16]]

    public init(selection: ShardSelection, vocabularyJSON: String, files: [[UInt16]]) {
        self.selection = selection
        self.vocabularyJSON = vocabularyJSON
        self.files = files
    }

    public var tokenCount: Int { files.reduce(0) { $0 + $1.count } }

    public static func fileName(_ selection: ShardSelection) -> String { "tokens-\(selection.fileSuffix).safetensors" }

    /// Writes the part atomically.
    public func write(to url: URL) throws {
        var writer = SafeTensorsWriter(metadata: [
            "cadenza_shards": Self.formatVersion, "shard": selection.description, "files": String(files.count),
            "tokens": String(tokenCount), "vocabulary": vocabularyJSON,
        ])
        var offsets: [Int64] = [0]
        offsets.reserveCapacity(files.count + 1)
        for f in files { offsets.append(offsets.last! + Int64(f.count)) }
        do {
            try writer.add("tokens", shape: [tokenCount], uint16s: files.flatMap { $0 })
            try writer.add("offsets", shape: [offsets.count], int64s: offsets)
            try writer.write(to: url)
        } catch let e as SafeTensorsError {
            throw TrainingError.io(path: url.path, detail: e.description)
        }
    }

    /// Reads a part, checking that it is one (metadata, dtypes, shapes, offsets in order and
    /// in range, every id below `vocabularySize`).
    public static func read(_ url: URL, vocabularySize: Int) throws -> TokenShard {
        let path = url.path
        func bad(_ detail: String) -> TrainingError { .io(path: path, detail: "not a Cadenza token shard: \(detail)") }
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch let e as SafeTensorsError {
            throw TrainingError.io(path: path, detail: e.description)
        }
        let m = file.metadata
        guard m["cadenza_shards"] == formatVersion else { throw bad("no cadenza_shards=\(formatVersion) in the metadata") }
        guard let shard = m["shard"], let selection = try? ShardSelection(parsing: shard) else { throw bad("no valid 'shard' (I/N) in the metadata") }
        guard let vocabulary = m["vocabulary"] else { throw bad("no vocabulary in the metadata") }
        guard let tokensEntry = file.entry("tokens"), tokensEntry.dtype == .u16, tokensEntry.shape.count == 1 else {
            throw bad("no 'tokens' tensor of U16 [total]")
        }
        guard let offsetsEntry = file.entry("offsets"), offsetsEntry.dtype == .i64, offsetsEntry.shape.count == 1,
              offsetsEntry.shape[0] >= 1 else {
            throw bad("no 'offsets' tensor of I64 [files + 1]")
        }
        let total = tokensEntry.shape[0]
        let tokenBytes: Data, offsetBytes: Data
        do {
            tokenBytes = try file.rawBytes("tokens")
            offsetBytes = try file.rawBytes("offsets")
        } catch let e as SafeTensorsError {
            throw TrainingError.io(path: path, detail: e.description)
        }
        let offsets: [Int] = offsetBytes.withUnsafeBytes { raw in
            (0..<offsetsEntry.shape[0]).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
        }
        guard offsets.first == 0, offsets.last == total, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw bad("the offsets do not run from 0 to \(total) in order")
        }
        var files: [[UInt16]] = []
        files.reserveCapacity(offsets.count - 1)
        let limit = vocabularySize
        try tokenBytes.withUnsafeBytes { raw in
            for k in 0..<(offsets.count - 1) {
                let ids = (offsets[k]..<offsets[k + 1]).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
                if let id = ids.first(where: { Int($0) >= limit }) {
                    throw bad("file \(k) holds token id \(id), outside the vocabulary 0..<\(limit)")
                }
                files.append(ids)
            }
        }
        return TokenShard(selection: selection, vocabularyJSON: vocabulary, files: files)
    }
}
