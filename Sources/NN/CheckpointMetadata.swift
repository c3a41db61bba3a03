// What a Cadenza checkpoint records besides the weights, and how it maps to the safetensors
// `__metadata__` (a string -> string map). NN treats the vocabulary as opaque JSON (the
// tokenizer owns its format). Format version 1; keys:
//   format="pt", cadenza_format="1", model={"V","E","H","L","dropout","gate_order"} (JSON),
//   vocabulary (JSON), hyperparameters (JSON object of strings), corpus_files, corpus_hash,
//   tokens_seen, step, epochs, validation_loss, created_by. Unknown keys are kept in `extra`.
import Foundation

public struct CheckpointMetadata: Equatable, Sendable {
    public static let formatVersion = "1"

    /// The tokenizer's vocabulary and settings, as the tokenizer serialised them.
    public var vocabularyJSON: String?
    /// Training settings (lr, batch size, sequence length, seed, ...), for the model card.
    public var hyperParameters: [String: String] = [:]
    public var corpusFileCount: Int?
    /// A hash of the corpus files' contents (hex), to tell which data a model saw.
    public var corpusHash: String?
    public var tokensSeen: Int?
    /// Optimizer steps taken; with `tokensSeen` it ties a checkpoint to its .optim file
    /// (which records the same two numbers), so resume can refuse a pair from two epochs.
    public var step: Int?
    /// Completed epochs (fractional when saved mid-epoch).
    public var epochs: Double?
    /// Mean validation NLL per token, nats.
    public var validationLoss: Double?
    /// e.g. "cadenza 0.1.0".
    public var createdBy: String?
    /// Dropout the model was trained with (the shapes do not tell it).
    public var dropout: Float?
    /// Keys this version does not interpret (kept when a checkpoint is re-saved).
    public var extra: [String: String] = [:]

    public init() {}

    static let knownKeys: Set<String> = [
        "format", "cadenza_format", "model", "vocabulary", "hyperparameters", "corpus_files", "corpus_hash",
        "tokens_seen", "step", "epochs", "validation_loss", "created_by",
    ]

    /// Whether the file carried Cadenza's metadata at all (false for e.g. a PyTorch export).
    public var isCadenza = false

    func encoded(configuration c: LSTMConfiguration) -> [String: String] {
        var m = extra
        m["format"] = "pt"
        m["cadenza_format"] = Self.formatVersion
        m["model"] = Self.json([
            "V": c.vocabularySize, "E": c.embeddingSize, "H": c.hiddenSize, "L": c.layers,
            "dropout": Double(c.dropout), "gate_order": "i,f,g,o",
        ])
        if let v = vocabularyJSON { m["vocabulary"] = v }
        if !hyperParameters.isEmpty { m["hyperparameters"] = Self.json(hyperParameters) }
        if let v = corpusFileCount { m["corpus_files"] = String(v) }
        if let v = corpusHash { m["corpus_hash"] = v }
        if let v = tokensSeen { m["tokens_seen"] = String(v) }
        if let v = step { m["step"] = String(v) }
        if let v = epochs { m["epochs"] = String(v) }
        if let v = validationLoss { m["validation_loss"] = String(v) }
        if let v = createdBy { m["created_by"] = v }
        return m
    }

    /// Reads what it understands; a malformed known key is an error naming it.
    static func decode(_ m: [String: String]) throws -> CheckpointMetadata {
        var out = CheckpointMetadata()
        out.isCadenza = m["cadenza_format"] != nil
        out.extra = m.filter { !knownKeys.contains($0.key) }
        out.vocabularyJSON = m["vocabulary"]
        out.corpusHash = m["corpus_hash"]
        out.createdBy = m["created_by"]
        func int(_ key: String) throws -> Int? {
            guard let s = m[key] else { return nil }
            guard let v = Int(s), v >= 0 else { throw CheckpointError.badMetadata(key: key, detail: "'\(s)' is not a count") }
            return v
        }
        func double(_ key: String) throws -> Double? {
            guard let s = m[key] else { return nil }
            guard let v = Double(s) else { throw CheckpointError.badMetadata(key: key, detail: "'\(s)' is not a number") }
            return v
        }
        out.corpusFileCount = try int("corpus_files")
        out.tokensSeen = try int("tokens_seen")
        out.step = try int("step")
        out.epochs = try double("epochs")
        out.validationLoss = try double("validation_loss")
        if let h = m["hyperparameters"] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(h.utf8)) as? [String: Any] else {
                throw CheckpointError.badMetadata(key: "hyperparameters", detail: "not a JSON object")
            }
            out.hyperParameters = object.mapValues { "\($0)" }
        }
        if let model = m["model"] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(model.utf8)) as? [String: Any] else {
                throw CheckpointError.badMetadata(key: "model", detail: "not a JSON object")
            }
            if let d = object["dropout"] {
                guard let v = (d as? NSNumber)?.doubleValue, v >= 0, v < 1 else {
                    throw CheckpointError.badMetadata(key: "model", detail: "dropout must be a number in [0, 1)")
                }
                out.dropout = Float(v)
            }
            if let order = object["gate_order"] as? String, order != "i,f,g,o" {
                throw CheckpointError.badMetadata(key: "model", detail: "gate order \(order) is not PyTorch's i,f,g,o")
            }
        }
        return out
    }

    /// The sizes the `model` key states ("V", "E", "H", "L"; those present), for checking
    /// against the tensor shapes: a file whose metadata and tensors disagree is rejected.
    static func declaredSizes(_ m: [String: String]) throws -> [String: Int] {
        guard let model = m["model"],
              let object = try? JSONSerialization.jsonObject(with: Data(model.utf8)) as? [String: Any] else { return [:] }
        var sizes: [String: Int] = [:]
        for key in ["V", "E", "H", "L"] {
            guard let value = object[key] else { continue }
            guard let number = value as? NSNumber, let size = Int(exactly: number.doubleValue), size > 0 else {
                throw CheckpointError.badMetadata(key: "model", detail: "\(key) must be a positive integer, not \(value)")
            }
            sizes[key] = size
        }
        return sizes
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
