// The vocabulary: ids <-> tokens for one configuration and style list, and its JSON
// form (format "cadenza-vocabulary", version 1), which goes into checkpoint metadata.
// Layout: PAD=0, BOS=1, EOS=2, BAR=3, then STYLE, TS, TEMPO, POS, VEL, PITCH, DUR blocks,
// and last the 24 KEY tokens (majors C...B, then minors) when the configuration has keys,
// so vocabularies without keys keep every id they had.
import Foundation

public struct Vocabulary: Hashable, Sendable, Codable {
    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        a.configuration == b.configuration && a.styles == b.styles
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(configuration); hasher.combine(styles) }

    public static let formatName = "cadenza-vocabulary"
    public static let formatVersion = 1

    public let configuration: TokenizerConfiguration
    public let styles: [String]
    public let tokens: [Token]

    // First id of each block (blocks are contiguous, in this order).
    public let padID = 0, bosID = 1, eosID = 2, barID = 3
    public let styleStart: Int
    public let timeSignatureStart: Int
    public let tempoStart: Int
    public let positionStart: Int
    public let velocityStart: Int
    public let pitchStart: Int
    public let durationStart: Int
    /// First KEY id; equals `count` (an empty block) without key tokens.
    public let keyStart: Int
    /// Number of POS tokens (positions 0 ..< positionCount).
    public let positionCount: Int
    private let index: [Token: Int]

    public var count: Int { tokens.count }

    /// The most tokens a vocabulary may have: the corpus token store (the token cache and
    /// the training batches) keeps ids in 16 bits, and checks them against the count as a
    /// 16-bit number too. Only STYLE tokens (one per composer folder) can grow this large.
    public static let maximumCount = Int(UInt16.max)

    /// Throws when the vocabulary has more tokens than `maximumCount`.
    public func checkSize() throws {
        guard count <= Self.maximumCount else {
            throw TokenizationError.vocabularyTooLarge(count: count, styles: styleCount)
        }
    }

    public init(configuration: TokenizerConfiguration, styles: [String] = []) {
        self.configuration = configuration
        var seen = Set<String>()
        self.styles = styles.filter { !$0.isEmpty && seen.insert($0).inserted }
        var list: [Token] = [.pad, .bos, .eos, .bar]
        styleStart = list.count
        list += self.styles.map { Token.style($0) }
        timeSignatureStart = list.count
        list += configuration.timeSignatures.map { Token.timeSignature(numerator: $0[0], denominator: $0[1]) }
        tempoStart = list.count
        list += configuration.temposBPM.map { Token.tempo($0) }
        positionStart = list.count
        positionCount = max(1, configuration.maxBarQuarters * configuration.stepsPerQuarter)
        list += (0..<positionCount).map { Token.position($0) }
        velocityStart = list.count
        list += configuration.velocities.map { Token.velocity($0) }
        pitchStart = list.count
        list += (configuration.lowestPitch...configuration.highestPitch).map { Token.pitch($0) }
        durationStart = list.count
        list += configuration.durationSteps.map { Token.duration($0) }
        keyStart = list.count
        if configuration.keyTokens { list += MusicalKey.all.map { Token.key($0) } }
        tokens = list
        var index: [Token: Int] = [:]
        for (i, t) in list.enumerated() where index[t] == nil { index[t] = i }
        self.index = index
    }

    public func id(_ token: Token) -> Int? { index[token] }

    /// The token of an id; precondition: 0 <= id < count.
    public func token(_ id: Int) -> Token { tokens[id] }

    public func description(of ids: [Int]) -> String {
        ids.map { $0 >= 0 && $0 < count ? tokens[$0].description : "?\($0)" }.joined(separator: " ")
    }

    // MARK: Block membership (ids)

    public var styleCount: Int { timeSignatureStart - styleStart }
    public var timeSignatureCount: Int { tempoStart - timeSignatureStart }
    public var tempoCount: Int { positionStart - tempoStart }
    public var velocityCount: Int { pitchStart - velocityStart }
    public var pitchCount: Int { durationStart - pitchStart }
    public var durationCount: Int { keyStart - durationStart }
    public var keyCount: Int { count - keyStart }
    public var hasKeys: Bool { keyCount > 0 }

    /// The kind of an id; nil outside 0..<count.
    public func kind(of id: Int) -> TokenKind? { id >= 0 && id < count ? tokens[id].kind : nil }

    /// The ids of one kind (a contiguous block; empty when the vocabulary has none).
    public func ids(of kind: TokenKind) -> Range<Int> {
        switch kind {
        case .special: return padID..<barID
        case .bar: return barID..<(barID + 1)
        case .style: return styleStart..<timeSignatureStart
        case .timeSignature: return timeSignatureStart..<tempoStart
        case .tempo: return tempoStart..<positionStart
        case .position: return positionStart..<velocityStart
        case .velocity: return velocityStart..<pitchStart
        case .pitch: return pitchStart..<durationStart
        case .duration: return durationStart..<keyStart
        case .key: return keyStart..<count
        }
    }

    /// The KEY id of a key; nil without key tokens.
    public func keyID(_ key: MusicalKey) -> Int? { hasKeys ? keyStart + key.index : nil }

    /// The key of a KEY id; nil for any other id.
    public func key(ofID id: Int) -> MusicalKey? { id >= keyStart && id < count ? MusicalKey.all[id - keyStart] : nil }

    // MARK: JSON

    private struct Stored: Codable {
        var format: String
        var version: Int
        var configuration: TokenizerConfiguration
        var styles: [String]
        var tokens: [String]?
    }

    public init(from decoder: Decoder) throws {
        let stored = try Stored(from: decoder)
        guard stored.format == Self.formatName, stored.version == Self.formatVersion else {
            throw TokenizationError.badVocabulary("format \(stored.format) version \(stored.version) is not supported")
        }
        try Self.validate(stored.configuration)
        self.init(configuration: stored.configuration, styles: stored.styles)
        try checkSize()
    }

    public func encode(to encoder: Encoder) throws {
        try Stored(format: Self.formatName, version: Self.formatVersion, configuration: configuration,
                   styles: styles, tokens: tokens.map(\.description)).encode(to: encoder)
    }

    public func jsonString() -> String {
        let stored = Stored(format: Self.formatName, version: Self.formatVersion, configuration: configuration,
                            styles: styles, tokens: tokens.map(\.description))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(stored), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }

    public init(jsonString: String) throws {
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: Data(jsonString.utf8))
        } catch {
            throw TokenizationError.badVocabulary("not a vocabulary JSON object (\(error))")
        }
        guard stored.format == Self.formatName else {
            throw TokenizationError.badVocabulary("format is '\(stored.format)', expected '\(Self.formatName)'")
        }
        guard stored.version == Self.formatVersion else {
            throw TokenizationError.badVocabulary("version \(stored.version) is not supported (this build reads version \(Self.formatVersion))")
        }
        try Self.validate(stored.configuration)
        self.init(configuration: stored.configuration, styles: stored.styles)
        try checkSize()
        if let listed = stored.tokens, listed != tokens.map(\.description) {
            throw TokenizationError.badVocabulary("the token list does not match its configuration (\(listed.count) listed, \(tokens.count) derived)")
        }
    }

    /// Rejects configurations that would make an unusable or huge vocabulary.
    static func validate(_ c: TokenizerConfiguration) throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw TokenizationError.badVocabulary(what) } }
        try check((1...96).contains(c.stepsPerQuarter), "steps per quarter \(c.stepsPerQuarter) outside 1...96")
        try check((1...32).contains(c.maxBarQuarters), "longest bar \(c.maxBarQuarters) quarters outside 1...32")
        try check(!c.velocities.isEmpty && c.velocities.count <= 128 && c.velocities.allSatisfy { (1...127).contains($0) }, "velocities must be 1...127")
        try check(!c.temposBPM.isEmpty && c.temposBPM.count <= 1000 && c.temposBPM.allSatisfy { (1...2000).contains($0) }, "tempi must be 1...2000 BPM")
        try check(!c.durationSteps.isEmpty && c.durationSteps.count <= 1000 && c.durationSteps.allSatisfy { $0 >= 1 && $0 <= 100_000 }, "durations must be positive")
        try check(!c.timeSignatures.isEmpty && c.timeSignatures.count <= 1000 && c.timeSignatures.allSatisfy {
            $0.count == 2 && (1...64).contains($0[0]) && [1, 2, 4, 8, 16, 32, 64].contains($0[1])
                && c.barSteps(numerator: $0[0], denominator: $0[1]) <= c.maxBarQuarters * c.stepsPerQuarter
        }, "time signatures must be n/d with a bar of at most \(c.maxBarQuarters) quarters")
        try check((0...127).contains(c.lowestPitch) && (c.lowestPitch...127).contains(c.highestPitch), "pitch range must be inside 0...127")
        for list in [c.velocities, c.temposBPM, c.durationSteps] {
            try check(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "bins must be strictly ascending")
        }
    }
}
