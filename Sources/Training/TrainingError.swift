// Errors of the Training module: bad options, an unusable corpus or token file, a checkpoint
// that does not fit, a diverged run. Messages are lowercase and say what to do.

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case noMIDIFiles(directory: String)
    case noUsableFiles(directory: String, skipped: Int)
    case notEnoughTokens(detail: String)
    case badTokenFile(path: String, detail: String)
    case tokenOutOfRange(id: Int, vocabularySize: Int)
    case noVocabulary(path: String)
    case incompatibleResume(detail: String)
    /// The summed loss is NaN or infinite: the model's outputs overflow (huge or broken weights).
    case nonFiniteLoss(path: String, loss: Double)
    case io(path: String, detail: String)
    /// A new run would replace the checkpoints of the run already in the save folder.
    case saveFolderHoldsRun(folder: String, checkpoint: String)
    /// Neither --data nor a resumed checkpoint that records its data folder.
    case noDataFolder(checkpoint: String?)

    /// Errors of the command line rather than of the data (exit status 2).
    public var isUsageError: Bool {
        switch self {
        case .invalidOption, .noDataFolder: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        case .noMIDIFiles(let d): return "no .mid or .midi files under \(d)"
        case .noUsableFiles(let d, let n): return "none of the MIDI files under \(d) could be used (\(n) skipped)"
        case .notEnoughTokens(let d): return "not enough data: \(d)"
        case .badTokenFile(let p, let d): return "\(p): \(d) (expected a JSON array of token ids or an array of arrays)"
        case .tokenOutOfRange(let id, let v): return "token id \(id) is outside the model's vocabulary 0..<\(v)"
        case .noVocabulary(let p): return "\(p) stores no vocabulary, so MIDI files cannot be tokenized for it; use --tokens ids.json"
        case .incompatibleResume(let d): return "cannot resume: \(d)"
        case .nonFiniteLoss(let p, let loss):
            return "\(p): the loss is \(loss.isNaN ? "NaN" : "infinite"): the model's outputs overflow, so its weights are broken or too large; use another checkpoint"
        case .io(let p, let d): return "\(p): \(d)"
        case .saveFolderHoldsRun(let folder, let checkpoint):
            return "\(folder) already holds a run (\(checkpoint)); continue it with --resume \(checkpoint), choose another --save-dir, or pass --force to start over and replace its checkpoints"
        case .noDataFolder(let checkpoint?):
            return "\(checkpoint) does not record its data folder (it was written before runs stored it); pass --data DIR"
        case .noDataFolder(nil):
            return "missing --data DIR (a folder of MIDI files), or --resume FILE to continue a run"
        }
    }
}
