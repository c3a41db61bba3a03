// Everything `cadenza train` can be told, with the defaults of its help text. The
// hyper-parameters that shape a run are also written into every checkpoint, and a resumed
// run takes them from there.
import Foundation
import NN

public struct TrainingOptions: Sendable {
    /// The corpus; nil with `resume` takes the folder the checkpoint records.
    public var dataDirectory: URL?
    public var saveDirectory: URL = URL(fileURLWithPath: "checkpoints")
    /// Start a new run in a save folder that already holds one (its checkpoints are replaced).
    public var force = false
    public var epochs = 100
    public var batchSize = 64
    public var sequenceLength = 128
    public var embeddingSize = 256
    public var hiddenSize = 512
    public var layers = 2
    public var dropout: Float = 0.2
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0
    public var clipNorm: Float = 1.0
    public var validationSplit = 0.05
    public var augmentTranspose = 3
    public var seed: UInt64 = 1
    public var threads = 2
    public var resume: URL?
    public var maxMinutes: Double?
    public var styles = false
    /// Linear warm-up steps before cosine decay (nil: 2% of the run, at most 500).
    public var warmupSteps: Int?
    /// Storage type of the saved weights (the optimizer state is always F32).
    public var checkpointDType: SafeTensorsDType = .f32
    /// Whether --epochs was given (a resumed run otherwise keeps the checkpoint's total).
    public var epochsGiven = false
    /// Written into checkpoints as created_by.
    public var createdBy = "cadenza"

    public init(dataDirectory: URL?) { self.dataDirectory = dataDirectory }

    /// Every option at its default (the command line's help shows these).
    public static let defaults = TrainingOptions(dataDirectory: nil)

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw TrainingError.invalidOption(message) } }
        try check(epochs >= 1 && epochs <= 100_000, "--epochs must be between 1 and 100000")
        try check(batchSize >= 1 && batchSize <= 4096, "--batch-size must be between 1 and 4096")
        try check(sequenceLength >= 1 && sequenceLength <= 16384, "--seq-len must be between 1 and 16384")
        try check(embeddingSize >= 1 && embeddingSize <= 16384, "--embedding must be between 1 and 16384")
        try check(hiddenSize >= 1 && hiddenSize <= 16384, "--hidden must be between 1 and 16384")
        try check(layers >= 1 && layers <= 16, "--layers must be between 1 and 16")
        try check(dropout >= 0 && dropout < 1, "--dropout must be in [0, 1)")
        try check(learningRate > 0 && learningRate.isFinite, "--lr must be positive")
        try check(weightDecay >= 0 && weightDecay.isFinite, "--weight-decay must be 0 or positive")
        try check(clipNorm >= 0, "--clip must be 0 (off) or positive")
        try check(validationSplit >= 0 && validationSplit < 1, "--val-split must be in [0, 1)")
        try check(augmentTranspose >= 0 && augmentTranspose <= 12, "--augment-transpose must be between 0 and 12")
        try check(threads >= 1 && threads <= 256, "--threads must be between 1 and 256")
        if let m = maxMinutes { try check(m > 0 && m.isFinite, "--max-minutes must be positive") }
        if let w = warmupSteps { try check(w >= 0, "--warmup must be 0 or positive") }
    }

    /// The hyper-parameters stored in checkpoints (and read back by --resume).
    public var hyperParameters: [String: String] {
        [
            "epochs": String(epochs), "batch_size": String(batchSize), "seq_len": String(sequenceLength),
            "embedding": String(embeddingSize), "hidden": String(hiddenSize), "layers": String(layers),
            "dropout": String(dropout), "lr": String(learningRate), "weight_decay": String(weightDecay),
            "clip": String(clipNorm), "val_split": String(validationSplit), "augment_transpose": String(augmentTranspose),
            "seed": String(seed), "styles": styles ? "1" : "0", "warmup": warmupSteps.map(String.init) ?? "auto",
            "data": dataDirectory?.standardizedFileURL.path ?? "",
        ]
    }

    /// These options with the run-shaping values replaced by a checkpoint's (for --resume).
    /// Threads, time limit, save folder and a data folder given stay as given (without one the
    /// checkpoint's is used), and so do the epochs when `keepEpochs` (the user asked for a
    /// different total).
    public func resuming(with h: [String: String], keepEpochs: Bool) throws -> TrainingOptions {
        var o = self
        func value<T: LosslessStringConvertible>(_ key: String, _ keyPath: WritableKeyPath<TrainingOptions, T>) throws {
            guard let s = h[key] else { return }
            guard let v = T(s) else { throw TrainingError.incompatibleResume(detail: "hyper-parameter \(key)=\(s) in the checkpoint is not valid") }
            o[keyPath: keyPath] = v
        }
        if !keepEpochs { try value("epochs", \.epochs) }
        try value("batch_size", \.batchSize)
        try value("seq_len", \.sequenceLength)
        try value("embedding", \.embeddingSize)
        try value("hidden", \.hiddenSize)
        try value("layers", \.layers)
        try value("dropout", \.dropout)
        try value("lr", \.learningRate)
        try value("weight_decay", \.weightDecay)
        try value("clip", \.clipNorm)
        try value("val_split", \.validationSplit)
        try value("augment_transpose", \.augmentTranspose)
        try value("seed", \.seed)
        if let s = h["styles"] { o.styles = s == "1" }
        if let w = h["warmup"] { o.warmupSteps = Int(w) }
        if o.dataDirectory == nil, let d = h["data"], !d.isEmpty { o.dataDirectory = URL(fileURLWithPath: d) }
        return o
    }
}
