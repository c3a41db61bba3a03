// Errors of loading and saving checkpoints and optimizer state: the file's own problems
// (SafeTensorsError, wrapped with the path) and a model that does not fit the tensors.
import UntrustedText

public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case invalidFile(path: String, SafeTensorsError)
    case missingTensor(path: String, name: String)
    case wrongShape(path: String, name: String, found: [Int], expected: [Int])
    case notAModel(path: String, detail: String)
    case badMetadata(key: String, detail: String)
    case mismatch(path: String, detail: String)
    case nonFiniteValue(path: String, name: String)

    /// Names and details quote the file's bytes, so they are escaped (see SafeTensorsError).
    public var description: String {
        func q(_ text: String) -> String { escapedForDisplay(text) }
        switch self {
        case .invalidFile(_, .readFailed(let p, let d)): return "cannot read \(p): \(d)"
        case .invalidFile(_, .writeFailed(let p, let d)): return "cannot write \(p): \(d)"
        case .invalidFile(let p, let e): return "\(p): \(e)"
        case .missingTensor(let p, let n): return "\(p): missing tensor '\(q(n))' (is this a Cadenza/PyTorch LSTM checkpoint?)"
        case .wrongShape(let p, let n, let f, let e): return "\(p): tensor '\(q(n))' has shape \(f), expected \(e)"
        case .notAModel(let p, let d): return "\(p): not an LSTM checkpoint: \(q(d))"
        case .badMetadata(let k, let d): return "checkpoint metadata '\(q(k))': \(q(d))"
        case .mismatch(let p, let d): return "\(p): \(q(d))"
        case .nonFiniteValue(let p, let n): return "\(p): tensor '\(q(n))' holds NaN or infinite values"
        }
    }
}
