// What a checkpoint is, from its header and metadata alone: the card `cadenza info` prints
// for a .safetensors file (architecture, vocabulary, styles, what training saw and reached,
// which corpus). A value built from a loaded Checkpoint; the command only prints it.
import Foundation
import NN
import Tokenization

public struct CheckpointCard: Equatable, Sendable, Encodable {
    public var file: String
    public var bytes: Int
    public var configuration: LSTMConfiguration
    public var parameterCount: Int
    public var storedDType: String
    /// Nil for a checkpoint without Cadenza's vocabulary (a PyTorch export).
    public var vocabularySize: Int?
    public var stepsPerQuarter: Int?
    public var styles: [String]
    public var hasKeys: Bool
    public var tokensSeen: Int?
    public var epochs: Double?
    public var validationLoss: Double?
    public var corpusFileCount: Int?
    public var corpusHash: String?
    public var createdBy: String?
    public var hyperParameters: [String: String]

    /// The card of `checkpoint`, read from `file` of `bytes` bytes. Throws if its vocabulary is unreadable.
    public init(_ checkpoint: Checkpoint, file: String, bytes: Int) throws {
        let m = checkpoint.metadata
        self.file = file
        self.bytes = bytes
        configuration = checkpoint.model.configuration
        parameterCount = checkpoint.model.parameterCount
        storedDType = checkpoint.storedDType.rawValue
        let vocabulary = try m.vocabularyJSON.map { try Vocabulary(jsonString: $0) }
        vocabularySize = vocabulary?.count
        stepsPerQuarter = vocabulary?.configuration.stepsPerQuarter
        styles = vocabulary?.styles ?? []
        hasKeys = vocabulary?.hasKeys ?? false
        tokensSeen = m.tokensSeen
        epochs = m.epochs
        validationLoss = m.validationLoss
        corpusFileCount = m.corpusFileCount
        corpusHash = m.corpusHash
        createdBy = m.createdBy
        hyperParameters = m.hyperParameters
    }

    /// The text `cadenza info` prints: one heading line, then one line per fact.
    public func report() -> String {
        let c = configuration
        var lines = ["\(file): LSTM checkpoint, \(bytes) bytes (\(storedDType))"]
        func row(_ name: String, _ value: String) { lines.append("  " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + value) }
        row("architecture", "embedding \(c.vocabularySize)x\(c.embeddingSize), \(c.layers)-layer LSTM of \(c.hiddenSize), head \(c.hiddenSize)x\(c.vocabularySize); \(parameterCount) parameters")
        if let v = vocabularySize {
            row("vocabulary", "\(v) tokens" + (stepsPerQuarter.map { ", \($0) steps per quarter note" } ?? "") + (hasKeys ? ", KEY tokens" : ", no KEY tokens"))
        } else {
            row("vocabulary", "none stored (not written by `cadenza train`: it can be evaluated on token ids, not generate)")
        }
        row("styles", styles.isEmpty ? "none" : styles.joined(separator: ", "))
        row("tokens seen", tokensSeen.map(String.init) ?? "unknown")
        if let e = epochs { row("epochs", String(format: "%.2f", e)) }
        row("validation", validationLoss.map { String(format: "%.4f nats/token (perplexity %.2f)", $0, exp($0)) } ?? "unknown")
        row("corpus", [corpusFileCount.map { "\($0) files" }, corpusHash.map { "hash \($0)" }].compactMap { $0 }.joined(separator: ", ").nonEmpty ?? "unknown")
        if let by = createdBy { row("written by", by) }
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case file, bytes, kind, dtype, parameters, V, E, H, L, styles, keys, hyperparameters
        case vocabularySize = "vocabulary_size", tokensSeen = "tokens_seen", epochs, validationLoss = "validation_loss"
        case corpusFiles = "corpus_files", corpusHash = "corpus_hash", createdBy = "created_by"
    }

    /// The card as one JSON object (`cadenza info --json`), with "kind": "checkpoint".
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(bytes, forKey: .bytes)
        try c.encode("checkpoint", forKey: .kind)
        try c.encode(storedDType, forKey: .dtype)
        try c.encode(parameterCount, forKey: .parameters)
        try c.encode(configuration.vocabularySize, forKey: .V)
        try c.encode(configuration.embeddingSize, forKey: .E)
        try c.encode(configuration.hiddenSize, forKey: .H)
        try c.encode(configuration.layers, forKey: .L)
        try c.encode(styles, forKey: .styles)
        try c.encode(hasKeys, forKey: .keys)
        try c.encode(hyperParameters, forKey: .hyperparameters)
        try c.encodeIfPresent(vocabularySize, forKey: .vocabularySize)
        try c.encodeIfPresent(tokensSeen, forKey: .tokensSeen)
        try c.encodeIfPresent(epochs, forKey: .epochs)
        try c.encodeIfPresent(validationLoss, forKey: .validationLoss)
        try c.encodeIfPresent(corpusFileCount, forKey: .corpusFiles)
        try c.encodeIfPresent(corpusHash, forKey: .corpusHash)
        try c.encodeIfPresent(createdBy, forKey: .createdBy)
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
