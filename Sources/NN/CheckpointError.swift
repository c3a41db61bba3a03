// Errors of loading and saving checkpoints and optimizer state: the file's own problems
// (SafeTensorsError, wrapped with the path) and a model that does not fit the tensors.

public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case invalidFile(path: String, SafeTensorsError)
    case missingTensor(path: String, name: String)
    case wrongShape(path: String, name: String, found: [Int], expected: [Int])
    case notAModel(path: String, detail: String)
    case badMetadata(key: String, detail: String)
    case mismatch(path: String, detail: String)
    case nonFiniteValue(path: String, name: String)

    public var description: String {
        switch self {
        case .invalidFile(_, .readFailed(let p, let d)): return "cannot read \(p): \(d)"
        case .invalidFile(let p, let e): return "\(p): \(e)"
        case .missingTensor(let p, let n): return "\(p): missing tensor '\(n)' (is this a Cadenza/PyTorch LSTM checkpoint?)"
        case .wrongShape(let p, let n, let f, let e): return "\(p): tensor '\(n)' has shape \(f), expected \(e)"
        case .notAModel(let p, let d): return "\(p): not an LSTM checkpoint: \(d)"
        case .badMetadata(let k, let d): return "checkpoint metadata '\(k)': \(d)"
        case .mismatch(let p, let d): return "\(p): \(d)"
        case .nonFiniteValue(let p, let n): return "\(p): tensor '\(n)' holds NaN or infinite values"
        }
    }
}
