// The one error type of the Synthesis module: bad SoundFonts, unwritable files,
// missing MP3 encoders, bad render options. Messages are lowercase and say what to do.
import Foundation

public enum SynthesisError: Error, Equatable, CustomStringConvertible {
    /// A SoundFont file that is not a valid SF2: what is wrong and at which byte offset.
    case invalidSoundFont(path: String, offset: Int, reason: String)
    /// The SoundFont has no preset for this bank/program (and no fallback).
    case presetNotFound(path: String, bank: Int, program: Int)
    /// A preset whose zones make more key/velocity regions than a player holds.
    case tooManyRegions(preset: String, count: Int, limit: Int)
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// Neither the `lame` command nor libmp3lame could be found or used.
    case mp3EncoderMissing(reason: String)
    case mp3EncodingFailed(reason: String)
    case invalidOption(name: String, value: String, reason: String)
    /// The audio would be longer or bigger than a render may be: `size` says how long or
    /// big, `limit` what the most is and what to do.
    case audioTooLong(size: String, limit: String)
    /// An audio output path whose extension names no format Cadenza writes.
    case unsupportedAudioFormat(path: String, extension: String)

    public var description: String {
        switch self {
        case let .invalidSoundFont(path, offset, reason):
            return "\(path): not a usable SoundFont 2 file (byte \(offset)): \(reason); try another .sf2 file"
        case let .presetNotFound(path, bank, program):
            return "\(path): no preset for bank \(bank), program \(program); pick a SoundFont with a piano preset"
        case let .tooManyRegions(preset, count, limit):
            return "the SoundFont's preset '\(preset)' has \(count) zones, more than the \(limit) Cadenza plays; try another .sf2 file"
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason); check the directory exists and is writable"
        case let .mp3EncoderMissing(reason):
            return "no MP3 encoder found (\(reason)); install the Debian package 'lame' (or 'libmp3lame0'), or write a .wav file instead"
        case let .mp3EncodingFailed(reason):
            return "mp3 encoding failed: \(reason)"
        case let .invalidOption(name, value, reason):
            return "invalid \(name) '\(value)': \(reason)"
        case let .audioTooLong(size, limit):
            return "the audio would \(size); \(limit)"
        case let .unsupportedAudioFormat(path, ext):
            let supported = AudioFileFormat.allCases.map { ".\($0.rawValue)" }.joined(separator: " or ")
            return ext.isEmpty
                ? "cannot write audio to \(path): the name has no extension; end it in \(supported)"
                : "cannot write audio to \(path): .\(ext) is not a format Cadenza writes; use \(supported)"
        }
    }
}
