// What a file looks like from its first bytes, for messages that name the wrong file a
// user gave ("this is a MIDI file") instead of a parser's complaint about its bytes.
// Signatures: MIDI "MThd", RIFF "WAVE" / "sfbk" (SoundFont), MP3 (ID3 tag or frame sync),
// ZIP "PK\3\4", gzip 1F 8B, PDF "%PDF", PNG, safetensors (an 8-byte header length, then '{').
import Foundation

public enum FileKind: Equatable, Sendable, CustomStringConvertible {
    case empty
    case safetensors
    case midi
    case wav
    case soundFont
    case mp3
    case zip
    case gzip
    case pdf
    case png
    case text
    case unknown

    /// Bytes read to tell the kinds apart.
    public static let prefixLength = 64

    /// The kind of a file whose first bytes are `prefix` and whose size is `size` bytes.
    public init(prefix: [UInt8], size: Int) {
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + signature.count && Array(prefix[offset..<offset + signature.count]) == signature
        }
        let ascii = { (s: String) in Array(s.utf8) }
        if size == 0 || prefix.isEmpty { self = .empty; return }
        if starts(ascii("MThd")) { self = .midi; return }
        if starts(ascii("RIFF")) && starts(ascii("WAVE"), at: 8) { self = .wav; return }
        if starts(ascii("RIFF")) && starts(ascii("sfbk"), at: 8) { self = .soundFont; return }
        if starts(ascii("ID3")) || (prefix.count >= 2 && prefix[0] == 0xFF && prefix[1] & 0xE0 == 0xE0) { self = .mp3; return }
        if starts([0x50, 0x4B, 0x03, 0x04]) { self = .zip; return }
        if starts([0x1F, 0x8B]) { self = .gzip; return }
        if starts(ascii("%PDF")) { self = .pdf; return }
        if starts([0x89, 0x50, 0x4E, 0x47]) { self = .png; return }
        if prefix.count >= 9 {
            let headerLength = prefix[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            // A header longer than the file is a truncated checkpoint, for its reader to report.
            if prefix[8] == UInt8(ascii: "{") && headerLength >= 2 { self = .safetensors; return }
        }
        // Text: valid UTF-8 without NUL or other control bytes than tab, newline and return.
        let isText = String(validating: prefix.count < FileKind.prefixLength ? prefix : Array(prefix.prefix(FileKind.prefixLength - 3)), as: UTF8.self) != nil
            && !prefix.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        self = isText ? .text : .unknown
    }

    /// The kind of the regular file at `url` (its first bytes); nil if it cannot be read.
    public init?(contentsOf url: URL) {
        guard let size = try? InputFile.regularFileSize(atPath: url.path),
              let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let prefix = (try? handle.read(upToCount: FileKind.prefixLength)).map { [UInt8]($0 ?? Data()) } ?? []
        self.init(prefix: prefix, size: size)
    }

    public var description: String {
        switch self {
        case .empty: return "an empty file"
        case .safetensors: return "a safetensors file"
        case .midi: return "a MIDI file"
        case .wav: return "a WAV file"
        case .soundFont: return "a SoundFont"
        case .mp3: return "an MP3 file"
        case .zip: return "a ZIP archive"
        case .gzip: return "a gzip file"
        case .pdf: return "a PDF document"
        case .png: return "a PNG image"
        case .text: return "a text file"
        case .unknown: return "not a safetensors file"
        }
    }
}
