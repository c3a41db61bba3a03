// The one error type of the Generation module: bad settings, checkpoints or primers
// that generation cannot use, and session operations asked of bars that do not exist.

public enum GenerationError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(name: String, value: String, expected: String)
    case noSuchBar(index: Int, barCount: Int)
    case noSuchTake(bar: Int, take: Int, takeCount: Int)
    case primerBarNotEncodable(bar: Int, reason: String)
    case unknownStyle(String, available: [String])
    case undecodable(bar: Int, reason: String)
    case takeDoesNotFit(bar: Int)
    case invalidCheckpoint(path: String, reason: String)
    /// A key was asked of a model whose vocabulary has no KEY tokens.
    case noKeyTokens
    /// The model's logits hold NaN or infinity (huge or broken weights): nothing to sample.
    case nonFiniteLogits(checkpoint: String)

    public var description: String {
        switch self {
        case .invalidSetting(let name, let value, let expected):
            return "\(name) must be \(expected) (got \(value))"
        case .noSuchBar(let index, let count):
            return "no bar \(index): the piece has \(count) bar\(count == 1 ? "" : "s") (numbered from 0)"
        case .noSuchTake(let bar, let take, let count):
            return "bar \(bar) has no take \(take): it has \(count) take\(count == 1 ? "" : "s") (numbered from 0)"
        case .primerBarNotEncodable(let bar, let reason):
            return "primer bar \(bar) cannot be used: \(reason)"
        case .unknownStyle(let style, let available):
            if available.isEmpty { return "unknown style '\(style)': this checkpoint was trained without styles; omit --style" }
            return "unknown style '\(style)': choose one of \(available.joined(separator: ", "))"
        case .invalidCheckpoint(let path, let reason):
            return "\(path) cannot be used for generation: \(reason)"
        case .takeDoesNotFit(let bar):
            return "the following bars are not legal after this take of bar \(bar); choose another take"
        case .noKeyTokens:
            return "this model has no KEY tokens (it was trained before keys existed); omit the key or use a newer model"
        case .nonFiniteLogits(let checkpoint):
            return "\(checkpoint.isEmpty ? "the model" : checkpoint) gives NaN or infinite logits, so no token can be sampled; its weights are broken or too large, use another checkpoint"
        case .undecodable(let bar, let reason):
            return "bar \(bar) does not decode: \(reason) (this is a bug; please report it)"
        }
    }
}
