// A key: tonic pitch class and mode, the payload of KEY tokens. It converts to and from
// MIDI key signatures (sharps -7...7 and a minor flag) and parses the names a person
// types ("E minor", "Eb major", "F# m", "c#-moll"); unknown names get an error that lists
// the accepted spellings.
import MIDI

public struct MusicalKey: Hashable, Sendable, CustomStringConvertible {
    /// Pitch class of the tonic, 0 = C ... 11 = B.
    public let tonic: Int
    public let isMinor: Bool

    public init(tonic: Int, isMinor: Bool) {
        self.tonic = ((tonic % 12) + 12) % 12
        self.isMinor = isMinor
    }

    /// The key a MIDI key signature names (sharps outside -7...7 are folded by fifths).
    public init(sharps: Int, isMinor: Bool) {
        let majorTonic = ((sharps * 7) % 12 + 12) % 12
        self.init(tonic: isMinor ? majorTonic + 9 : majorTonic, isMinor: isMinor)
    }

    public init(_ signature: KeySignatureChange) { self.init(sharps: signature.sharps, isMinor: signature.isMinor) }

    /// The conventional signature: the spelling with fewer accidentals (F# major and
    /// D# minor rather than Gb and Eb minor are both 6; flats win that tie, as in most editions).
    public var sharps: Int {
        let majorTonic = isMinor ? (tonic + 3) % 12 : tonic
        let bySharps = (majorTonic * 7) % 12   // 0...11 sharps
        return bySharps > 5 ? bySharps - 12 : bySharps
    }

    public func transposed(by semitones: Int) -> MusicalKey { MusicalKey(tonic: tonic + semitones, isMinor: isMinor) }

    /// The tonic spelled as the signature spells it: "Eb", "F#", "C".
    public var tonicName: String {
        let sharpNames = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
        let flatNames = ["C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"]
        return sharps < 0 ? flatNames[tonic] : sharpNames[tonic]
    }

    /// "Eb major", "C# minor".
    public var description: String { "\(tonicName) \(isMinor ? "minor" : "major")" }

    /// The payload text of a KEY token: "Eb_major".
    var tokenText: String { "\(tonicName)_\(isMinor ? "minor" : "major")" }

    /// All 24 keys, majors then minors, C first: the order of the KEY block.
    public static let all: [MusicalKey] = [false, true].flatMap { minor in (0..<12).map { MusicalKey(tonic: $0, isMinor: minor) } }

    /// Index in `all`.
    public var index: Int { (isMinor ? 12 : 0) + tonic }

    /// The index in `all` of key `index` transposed by `semitones` (what a KEY id does when
    /// its piece is transposed).
    public static func transposedIndex(_ index: Int, by semitones: Int) -> Int { all[index].transposed(by: semitones).index }

    // MARK: Names a person types

    public static let acceptedSpellings = """
        a tonic A-G (H = B) with an optional # or b (also ♯ ♭, "sharp", "flat", "is"/"es"), then major or minor \
        (also maj, min, m, dur, moll); a tonic alone is major: "E minor", "Eb major", "F#m", "c# minor", "Bb"
        """

    /// Parses "E minor", "Eb", "F#m", "B flat major", "fis-moll"; nil when it is not a key.
    public init?(name text: String) {
        var s = text.lowercased().replacingOccurrences(of: "♯", with: "#").replacingOccurrences(of: "♭", with: "b")
        s = s.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        let words = s.split(separator: " ").map(String.init)
        guard var head = words.first, let letter = head.first, let natural = ["c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11, "h": 11][letter] else { return nil }
        head.removeFirst()
        var rest = words.dropFirst().map { $0 }
        var tonic = natural
        // Accidentals glued to the letter ("eb", "f#", "fis", "es") or as a word ("b flat").
        func takeAccidental(_ t: inout String) -> Int? {
            for (spelling, shift) in [("#", 1), ("sharp", 1), ("is", 1), ("b", -1), ("flat", -1), ("es", -1), ("s", -1)] where t.hasPrefix(spelling) {
                t.removeFirst(spelling.count); return shift
            }
            return nil
        }
        if let shift = takeAccidental(&head) { tonic += shift }
        else if let word = rest.first, ["sharp", "flat", "#", "b"].contains(word) {
            tonic += (word == "sharp" || word == "#") ? 1 : -1; rest.removeFirst()
        }
        let modeWord = head.isEmpty ? rest.joined() : head + rest.joined()
        switch modeWord {
        case "", "major", "maj", "dur", "ma": self.init(tonic: tonic, isMinor: false)
        case "minor", "min", "m", "moll", "mi": self.init(tonic: tonic, isMinor: true)
        default: return nil
        }
    }

    /// `init(name:)` that throws a message listing the accepted spellings.
    public static func parse(_ text: String) throws -> MusicalKey {
        guard let key = MusicalKey(name: text) else {
            throw TokenizationError.badKeyName("'\(text)' is not a key; use \(acceptedSpellings)")
        }
        return key
    }
}
