// Errors of the Tokenization module: bad vocabulary JSON, token sequences that break
// the grammar, unreadable corpus files. Messages are lowercase and say what to do.
import UntrustedText

public enum TokenizationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The vocabulary JSON (e.g. from a checkpoint) is malformed or unsupported.
    case badVocabulary(String)
    /// More tokens than 16-bit token ids can number (see `Vocabulary.maximumCount`).
    case vocabularyTooLarge(count: Int, styles: Int)
    /// An id outside the vocabulary, at a position of the sequence.
    case unknownID(id: Int, index: Int, vocabularySize: Int)
    /// A token the grammar does not allow at this position.
    case ungrammatical(token: String, index: Int, expected: String)
    /// The report's directory cannot be read.
    case unreadableDirectory(path: String, reason: String)
    /// A key name a person typed that names no key (the message lists the spellings).
    case badKeyName(String)
    /// A key was asked of a vocabulary without KEY tokens.
    case noKeyTokens

    public var description: String {
        switch self {
        case .badVocabulary(let why):
            // `why` may quote the JSON, which comes from a file.
            return "bad vocabulary: \(escapedForDisplay(why)); use the vocabulary stored with the checkpoint"
        case .vocabularyTooLarge(let count, let styles):
            return "the vocabulary has \(count) tokens (\(styles) of them styles), more than the \(Vocabulary.maximumCount) that 16-bit token ids can hold; this checkpoint cannot be used"
        case .unknownID(let id, let index, let size):
            return "token id \(id) at index \(index) is outside the vocabulary (0..<\(size)); was it made with another vocabulary?"
        case .ungrammatical(let token, let index, let expected):
            return "token \(token) at index \(index) is not allowed there (expected \(expected)); sample with the grammar mask"
        case .unreadableDirectory(let path, let reason):
            return "cannot read directory \(path): \(reason)"
        case .badKeyName(let message):
            return message
        case .noKeyTokens:
            return "this model has no KEY tokens (it was trained before keys existed); train a new model to choose a key"
        }
    }
}
