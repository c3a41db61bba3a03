// A checkpoint ready for generation: the model, the tokenizer its metadata describes,
// and a display name. Also where the bundled model lives (a pure lookup over paths the
// caller passes in, so it is testable and reads no environment itself).
import Foundation
import NN
import Tokenization

public struct LoadedModel {
    public var model: LSTMModel
    public var tokenizer: Tokenizer
    public var metadata: CheckpointMetadata
    /// The file name, e.g. "cadenza-piano.safetensors" (recorded in provenance).
    public var name: String

    public init(model: LSTMModel, tokenizer: Tokenizer, metadata: CheckpointMetadata = CheckpointMetadata(), name: String) {
        self.model = model
        self.tokenizer = tokenizer
        self.metadata = metadata
        self.name = name
    }

    /// Loads a checkpoint and its vocabulary. Throws the checkpoint's own errors for a bad
    /// file, and `GenerationError.invalidCheckpoint` when it cannot drive generation.
    public static func load(from url: URL) throws -> LoadedModel {
        let checkpoint = try Checkpoint.load(from: url)
        guard let json = checkpoint.metadata.vocabularyJSON else {
            throw GenerationError.invalidCheckpoint(path: url.path, reason: "it holds no vocabulary (was it written by `cadenza train`?)")
        }
        let tokenizer = try Tokenizer(vocabularyJSON: json)
        guard tokenizer.vocabulary.count == checkpoint.model.configuration.vocabularySize else {
            throw GenerationError.invalidCheckpoint(
                path: url.path,
                reason: "its vocabulary has \(tokenizer.vocabulary.count) tokens but the model \(checkpoint.model.configuration.vocabularySize)")
        }
        return LoadedModel(model: checkpoint.model, tokenizer: tokenizer, metadata: checkpoint.metadata,
                           name: url.lastPathComponent)
    }

    /// File name of the bundled model inside `checkpoints/`.
    public static let bundledFileName = "cadenza-piano.safetensors"

    /// Where to look for the bundled model, best first: $CADENZA_CHECKPOINT, then
    /// `checkpoints/` in the current directory, then `checkpoints/` in the directories
    /// above the executable (a SwiftPM build puts it in .build/<config>/ of the clone).
    public static func bundledCandidates(environment: [String: String], currentDirectory: URL,
                                         executable: URL) -> [URL] {
        var out: [URL] = []
        if let path = environment["CADENZA_CHECKPOINT"], !path.isEmpty { out.append(URL(fileURLWithPath: path)) }
        out.append(currentDirectory.appendingPathComponent("checkpoints").appendingPathComponent(bundledFileName))
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            directory = directory.deletingLastPathComponent()
            out.append(directory.appendingPathComponent("checkpoints").appendingPathComponent(bundledFileName))
        }
        return out
    }
}
