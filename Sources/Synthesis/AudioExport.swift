// The one call `cadenza render` and `cadenza generate --wav` make: a PianoScore to a
// WAV or MP3 file, through the built-in piano or a SoundFont, the MasterBus, and an
// atomic file sink. Progress is reported through a callback; nothing is printed.
import Foundation
import MIDI

public enum AudioFileFormat: String, Sendable {
    case wav, mp3

    /// The format a path's extension asks for (.wav/.wave, .mp3), or nil.
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "wav", "wave": self = .wav
        case "mp3": self = .mp3
        default: return nil
        }
    }
}

public enum AudioExport {
    /// The instrument a render uses: the SoundFont's piano (bank 0, program 0) if one
    /// is given, else the built-in piano.
    public static func makeInstrument(options: RenderOptions, soundFont: SoundFont? = nil) throws -> SoundSource {
        if let soundFont {
            return try SoundFontInstrument(soundFont: soundFont, sampleRate: options.sampleRate, polyphony: options.polyphony)
        }
        return BuiltinPiano(sampleRate: options.sampleRate, polyphony: options.polyphony)
    }

    /// Renders `score` to a WAV file at `url` (written atomically).
    /// `progress` receives the fraction done, 0...1.
    public static func writeWAV(score: PianoScore, to url: URL, options: RenderOptions = RenderOptions(),
                                soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws {
        try options.validate()
        let sink = try WAVFileWriter(url: url, sampleRate: Int(options.sampleRate), bitDepth: options.bitDepth)
        try render(score: score, into: sink, options: options, soundFont: soundFont, progress: progress)
    }

    /// Renders `score` to an MP3 file at `url` (192 kbit/s CBR, via LAME found at run time).
    public static func writeMP3(score: PianoScore, to url: URL, options: RenderOptions = RenderOptions(),
                                soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws {
        try options.validate()
        let sink = try MP3Encoder.makeSink(url: url, sampleRate: Int(options.sampleRate))
        try render(score: score, into: sink, options: options, soundFont: soundFont, progress: progress)
    }

    /// WAV or MP3 by the extension of `url`.
    public static func write(score: PianoScore, to url: URL, options: RenderOptions = RenderOptions(),
                             soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws {
        switch AudioFileFormat(path: url.path) {
        case .mp3: try writeMP3(score: score, to: url, options: options, soundFont: soundFont, progress: progress)
        case .wav, nil: try writeWAV(score: score, to: url, options: options, soundFont: soundFont, progress: progress)
        }
    }

    /// Renders into memory: interleaved stereo Float samples, limited and with reverb.
    public static func renderSamples(score: PianoScore, options: RenderOptions = RenderOptions(),
                                     soundFont: SoundFont? = nil) throws -> [Float] {
        try options.validate()
        let source = try makeInstrument(options: options, soundFont: soundFont)
        let bus = MasterBus(sampleRate: options.sampleRate, gainDecibels: options.gainDecibels, reverb: options.reverb)
        return ScoreRenderer(score: score, options: options).renderInterleaved(source: source, bus: bus)
    }

    static func render(score: PianoScore, into sink: AudioSink, options: RenderOptions,
                       soundFont: SoundFont?, progress: ((Double) -> Void)?) throws {
        let source = try makeInstrument(options: options, soundFont: soundFont)
        let bus = MasterBus(sampleRate: options.sampleRate, gainDecibels: options.gainDecibels, reverb: options.reverb)
        let renderer = ScoreRenderer(score: score, options: options)
        try renderer.render(source: source, bus: bus, progress: { done, total in
            progress?(total > 0 ? Double(done) / Double(total) : 1)
        }, sink: { try sink.consume($0) })
        try sink.finish()
    }
}
