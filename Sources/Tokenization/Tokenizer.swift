// The tokenizer: a vocabulary plus the encoder (score -> ids) and decoder (ids ->
// score). The encoding algorithm is in Tokenizer+Encoding.swift, decoding in
// Tokenizer+Decoding.swift; the grammar both obey is GrammarState.
import MIDI

public struct Tokenizer: Sendable {
    public let vocabulary: Vocabulary
    public var configuration: TokenizerConfiguration { vocabulary.configuration }

    public init(configuration: TokenizerConfiguration = .default, styles: [String] = []) {
        vocabulary = Vocabulary(configuration: configuration, styles: styles)
    }

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
    }

    /// A tokenizer from a checkpoint's stored vocabulary JSON.
    public init(vocabularyJSON: String) throws {
        vocabulary = try Vocabulary(jsonString: vocabularyJSON)
    }

    /// Encodes a score: BOS, STYLE (if `style` is in the vocabulary), bars, EOS.
    public func encode(_ score: PianoScore, style: String? = nil) -> [Int] {
        encodeWithStatistics(score, style: style).ids
    }

    /// Ids as readable text, one bar a line.
    public func text(of ids: [Int]) -> String {
        var lines: [String] = []
        var line: [String] = []
        for id in ids {
            if id == vocabulary.barID && !line.isEmpty { lines.append(line.joined(separator: " ")); line = [] }
            line.append(id >= 0 && id < vocabulary.count ? vocabulary.token(id).description : "?\(id)")
        }
        if !line.isEmpty { lines.append(line.joined(separator: " ")) }
        return lines.joined(separator: "\n")
    }
}

/// What encoding did to a score's notes.
public struct EncodingStatistics: Hashable, Sendable {
    public var notes = 0
    /// Notes moved by octaves into the piano range.
    public var movedNotes = 0
    /// Notes longer than the longest duration bin.
    public var cappedNotes = 0
    /// Notes dropped because another note of the same pitch fell on the same grid step.
    public var mergedNotes = 0
    public var tempoTokens = 0
    public var bars = 0
    public init() {}
}
