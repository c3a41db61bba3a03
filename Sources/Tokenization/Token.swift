// The tokens of the bar-aware piano language and their text form ("BAR", "TS_3/4",
// "TEMPO_96", "POS_0", "VEL_64", "PITCH_60", "DUR_12", "STYLE_chopin", "KEY_Eb_major"). Payloads are
// the values the tokens stand for (BPM, MIDI velocity, grid steps, key number), not
// vocabulary indices; which values exist is the Vocabulary's business.

/// The kinds of tokens, each a block of ids in the vocabulary (`Vocabulary.ids(of:)`,
/// `Vocabulary.kind(of:)`): code outside Tokenization asks for a kind, never for the order
/// of the blocks. The raw values name the kinds in loss reports.
public enum TokenKind: String, CaseIterable, Sendable {
    /// PAD, BOS, EOS.
    case special
    case bar, style
    case timeSignature = "time_signature"
    case tempo, position, velocity, pitch, duration, key

    /// The kinds that may stand between a BAR and its first POS: the bar's header.
    public var isBarHeader: Bool { self == .timeSignature || self == .tempo || self == .key }
}

public enum Token: Hashable, Sendable, CustomStringConvertible, Codable {
    case bos, eos, pad
    /// A composer or style tag, right after BOS.
    case style(String)
    /// Starts every bar.
    case bar
    /// The bar's time signature, right after BAR, only when it changes.
    case timeSignature(numerator: Int, denominator: Int)
    /// A tempo in beats (quarters) per minute, after BAR/TS or after POS, only when it changes.
    case tempo(Int)
    /// Onset position inside the bar, in grid steps from the bar start.
    case position(Int)
    /// MIDI velocity of the next note (a bin's representative value).
    case velocity(Int)
    /// MIDI key number, 21...108.
    case pitch(Int)
    /// Note duration in grid steps (a bin's representative value).
    case duration(Int)
    /// The key of the bar, after BAR and TS (vocabularies with key tokens only).
    case key(MusicalKey)

    public var kind: TokenKind {
        switch self {
        case .bos, .eos, .pad: return .special
        case .bar: return .bar
        case .style: return .style
        case .timeSignature: return .timeSignature
        case .tempo: return .tempo
        case .position: return .position
        case .velocity: return .velocity
        case .pitch: return .pitch
        case .duration: return .duration
        case .key: return .key
        }
    }

    public var description: String {
        switch self {
        case .bos: return "BOS"
        case .eos: return "EOS"
        case .pad: return "PAD"
        case .style(let s): return "STYLE_\(s)"
        case .bar: return "BAR"
        case .timeSignature(let n, let d): return "TS_\(n)/\(d)"
        case .tempo(let v): return "TEMPO_\(v)"
        case .position(let v): return "POS_\(v)"
        case .velocity(let v): return "VEL_\(v)"
        case .pitch(let v): return "PITCH_\(v)"
        case .duration(let v): return "DUR_\(v)"
        case .key(let k): return "KEY_\(k.tokenText)"
        }
    }

    /// Parses the text form; nil when it is not a token.
    public init?(description text: String) {
        switch text {
        case "BOS": self = .bos; return
        case "EOS": self = .eos; return
        case "PAD": self = .pad; return
        case "BAR": self = .bar; return
        default: break
        }
        guard let underscore = text.firstIndex(of: "_") else { return nil }
        let kind = text[..<underscore]
        let rest = String(text[text.index(after: underscore)...])
        if kind == "STYLE" {
            guard !rest.isEmpty else { return nil }
            self = .style(rest); return
        }
        if kind == "KEY" {
            guard let key = MusicalKey(name: rest) else { return nil }
            self = .key(key); return
        }
        if kind == "TS" {
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]) else { return nil }
            self = .timeSignature(numerator: n, denominator: d); return
        }
        guard let value = Int(rest) else { return nil }
        switch kind {
        case "TEMPO": self = .tempo(value)
        case "POS": self = .position(value)
        case "VEL": self = .velocity(value)
        case "PITCH": self = .pitch(value)
        case "DUR": self = .duration(value)
        default: return nil
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let token = Token(description: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a token: \(text)"))
        }
        self = token
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
