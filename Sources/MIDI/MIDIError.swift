// The one error type of the MIDI module. Every case names the file and, where the
// problem is inside the bytes, the byte offset from the start of the file, so a user
// can find it with a hex dump. Messages are lowercase and say what is wrong.

public enum MIDIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes do not start with an `MThd` header (for example a WAV or text file).
    case notMIDI(file: String, offset: Int, found: String)
    /// The file ends inside a structure that needs more bytes.
    case truncated(file: String, offset: Int, needed: String)
    /// A chunk's length field claims more bytes than the file has left.
    case chunkPastEnd(file: String, offset: Int, chunk: String, length: Int, available: Int)
    /// The header is malformed (bad length, unknown format, zero division, ...).
    case badHeader(file: String, offset: Int, reason: String)
    /// A data byte (below 0x80) where a status byte was needed and no running status applies.
    case missingStatus(file: String, offset: Int, byte: UInt8)
    /// A malformed event: a status byte inside channel data, a status byte that has no
    /// meaning in a file, an over-long variable-length quantity, an event past its chunk.
    case badEvent(file: String, offset: Int, reason: String)
    /// The header promises more tracks than the file holds.
    case missingTracks(file: String, offset: Int, expected: Int, found: Int)
    /// The file could not be read or written at all.
    case io(file: String, reason: String)
    /// The piece is bigger than Cadenza handles (PieceLimits): `size` says how big
    /// ("the piece is 268435457 bars long"), `limit` the most there may be ("100000 bars").
    case tooLarge(file: String, size: String, limit: String)

    public var file: String {
        switch self {
        case .notMIDI(let f, _, _), .truncated(let f, _, _), .chunkPastEnd(let f, _, _, _, _),
             .badHeader(let f, _, _), .missingStatus(let f, _, _), .badEvent(let f, _, _),
             .missingTracks(let f, _, _, _), .io(let f, _), .tooLarge(let f, _, _):
            return f
        }
    }

    /// The byte offset of the problem, when it is inside the file's bytes.
    public var offset: Int? {
        switch self {
        case .notMIDI(_, let o, _), .truncated(_, let o, _), .chunkPastEnd(_, let o, _, _, _),
             .badHeader(_, let o, _), .missingStatus(_, let o, _), .badEvent(_, let o, _),
             .missingTracks(_, let o, _, _):
            return o
        case .io, .tooLarge:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .notMIDI(let f, let o, let found):
            return "\(f): not a standard MIDI file (byte \(o): expected \"MThd\", found \(found))"
        case .truncated(let f, let o, let needed):
            return "\(f): file is truncated at byte \(o) (needed \(needed)); the file is incomplete, get a fresh copy"
        case .chunkPastEnd(let f, let o, let chunk, let length, let available):
            return "\(f): byte \(o): chunk \"\(chunk)\" claims \(length) bytes but only \(available) remain; the file is truncated or corrupt"
        case .badHeader(let f, let o, let reason):
            return "\(f): byte \(o): bad MIDI header: \(reason)"
        case .missingStatus(let f, let o, let byte):
            return "\(f): byte \(o): data byte \(hex(byte)) where a status byte is needed (no running status in effect); the track is corrupt"
        case .badEvent(let f, let o, let reason):
            return "\(f): byte \(o): bad event: \(reason)"
        case .missingTracks(let f, let o, let expected, let found):
            return "\(f): byte \(o): header promises \(expected) tracks but the file ends after \(found); the file is truncated"
        case .io(let f, let reason):
            return "\(f): \(reason)"
        case .tooLarge(let f, let size, let limit):
            return "\(f): \(size); Cadenza handles at most \(limit)"
        }
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
}
