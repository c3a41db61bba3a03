// The one check of an audio path a command will write (render --output, generate --wav):
// its extension picks WAV or MP3, any other is a usage error listing the supported ones,
// and MP3 without LAME fails before anything is generated or rendered.
import Synthesis

enum AudioOutputPath {
    /// The format of `path`, given as `--option`.
    static func format(of path: String, option: String) throws -> AudioFileFormat {
        do { return try AudioFileFormat.forWriting(path) } catch let error as SynthesisError {
            if case .unsupportedAudioFormat = error { throw CommandFailure.usage("--\(option): \(error)") }
            throw CommandFailure("\(error)")
        }
    }
}
