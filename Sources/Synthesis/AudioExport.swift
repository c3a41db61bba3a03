// The one call `cadenza render` and `cadenza generate --wav` make: a PianoScore to a
// WAV or MP3 file, through the built-in piano or a SoundFont, the MasterBus, and an
// atomic file sink. Progress is reported through a callback; nothing is printed. The
// length is checked before anything is rendered (PieceLimits.maximumAudioSeconds, and
// the 4 GB of a WAV file); the peak of what was written comes back, so a caller can
// warn about silent audio (a SoundFont whose piano has no usable samples).
import Foundation
import MIDI

public enum AudioFileFormat: String, Sendable, CaseIterable {
    case wav, mp3

    /// The format a path's extension asks for (.wav/.wave, .mp3), or nil.
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "wav", "wave": self = .wav
        case "mp3": self = .mp3
        default: return nil
        }
    }

    /// The format of an audio file to write at `path`; throws
    /// `SynthesisError.unsupportedAudioFormat` (listing the supported ones) for any other
    /// extension, and `mp3EncoderMissing` for .mp3 without LAME, before anything is rendered.
    public static func forWriting(_ path: String) throws -> AudioFileFormat {
        guard let format = AudioFileFormat(path: path) else {
            throw SynthesisError.unsupportedAudioFormat(path: path, extension: URL(fileURLWithPath: path).pathExtension)
        }
        if format == .mp3 { try MP3Encoder.checkAvailable() }
        return format
    }
}

/// What a render wrote.
public struct RenderedAudio: Sendable, Equatable {
    public var frames: Int
    public var sampleRate: Double
    /// The largest absolute sample value written, 0...1.
    public var peak: Float
    public var noteCount: Int
    public var usedSoundFont: Bool
    public var seconds: Double { Double(frames) / sampleRate }
    /// Below `AudioExport.silenceDecibels`: nothing a listener could hear.
    public var isSilent: Bool { peak < AudioExport.silenceThreshold }
    public var peakDecibels: Double { peak > 0 ? 20 * log10(Double(peak)) : -.infinity }

    /// The warning for silent audio written to `path`, with the likely cause; nil when
    /// there is sound.
    public func silenceWarning(path: String) -> String? {
        guard isSilent else { return nil }
        let cause = noteCount == 0 ? "the piece has no notes"
            : usedSoundFont ? "the SoundFont's piano makes no sound (empty, silent or muted samples); try another .sf2 file"
            : "the notes make no sound at this gain"
        return "the rendered audio is silent (peak below \(Int(AudioExport.silenceDecibels)) dBFS): \(path); \(cause)"
    }
}

public enum AudioExport {
    /// Audio whose peak is below this is reported as silent (a 16-bit WAV's smallest step is -90.3 dBFS).
    public static let silenceDecibels = -90.0
    static let silenceThreshold = Float(pow(10, silenceDecibels / 20))

    /// The instrument a render uses: the SoundFont's piano (bank 0, program 0) if one
    /// is given, else the built-in piano.
    public static func makeInstrument(options: RenderOptions, soundFont: SoundFont? = nil) throws -> SoundSource {
        if let soundFont {
            return try SoundFontInstrument(soundFont: soundFont, sampleRate: options.sampleRate, polyphony: options.polyphony)
        }
        return BuiltinPiano(sampleRate: options.sampleRate, polyphony: options.polyphony)
    }

    /// Renders `score` to a WAV file at `url` (written atomically). `levels`: the volume and
    /// expression changes of the MIDI file the score came from, if any.
    /// `progress` receives the fraction done, 0...1.
    @discardableResult
    public static func writeWAV(score: PianoScore, levels: [LevelChange] = [], to url: URL, options: RenderOptions = RenderOptions(),
                                soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws -> RenderedAudio {
        try options.validate()
        let renderer = ScoreRenderer(score: score, levels: levels, options: options)
        try checkLength(frames: renderer.totalFrames, options: options, wavBitDepth: options.bitDepth)
        let sink = try WAVFileWriter(url: url, sampleRate: Int(options.sampleRate), bitDepth: options.bitDepth)
        return try render(renderer, into: sink, options: options, soundFont: soundFont, progress: progress)
    }

    /// Renders `score` to an MP3 file at `url` (192 kbit/s CBR, via LAME found at run time).
    @discardableResult
    public static func writeMP3(score: PianoScore, levels: [LevelChange] = [], to url: URL, options: RenderOptions = RenderOptions(),
                                soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws -> RenderedAudio {
        try options.validate()
        let renderer = ScoreRenderer(score: score, levels: levels, options: options)
        // The lame command is fed a 16-bit WAV, so the WAV limit holds for MP3 too.
        try checkLength(frames: renderer.totalFrames, options: options, wavBitDepth: .int16)
        let sink = try MP3Encoder.makeSink(url: url, sampleRate: Int(options.sampleRate))
        return try render(renderer, into: sink, options: options, soundFont: soundFont, progress: progress)
    }

    /// WAV or MP3 by the extension of `url`; any other extension is refused (see
    /// `AudioFileFormat.forWriting`).
    @discardableResult
    public static func write(score: PianoScore, levels: [LevelChange] = [], to url: URL, options: RenderOptions = RenderOptions(),
                             soundFont: SoundFont? = nil, progress: ((Double) -> Void)? = nil) throws -> RenderedAudio {
        switch try AudioFileFormat.forWriting(url.path) {
        case .mp3: return try writeMP3(score: score, levels: levels, to: url, options: options, soundFont: soundFont, progress: progress)
        case .wav: return try writeWAV(score: score, levels: levels, to: url, options: options, soundFont: soundFont, progress: progress)
        }
    }

    /// Renders into memory: interleaved stereo Float samples, limited and with reverb.
    public static func renderSamples(score: PianoScore, levels: [LevelChange] = [], options: RenderOptions = RenderOptions(),
                                     soundFont: SoundFont? = nil) throws -> [Float] {
        try options.validate()
        let renderer = ScoreRenderer(score: score, levels: levels, options: options)
        try checkLength(frames: renderer.totalFrames, options: options, wavBitDepth: nil)
        let source = try makeInstrument(options: options, soundFont: soundFont)
        let bus = MasterBus(sampleRate: options.sampleRate, gainDecibels: options.gainDecibels, reverb: options.reverb)
        return renderer.renderInterleaved(source: source, bus: bus)
    }

    /// Throws `audioTooLong` when `frames` of audio last longer than
    /// PieceLimits.maximumAudioSeconds or, written as a WAV of `wavBitDepth`, would not
    /// fit the 4 GB its header can state. Called before any rendering.
    public static func checkLength(frames: Int, options: RenderOptions, wavBitDepth: WAVBitDepth?) throws {
        let seconds = Double(frames) / options.sampleRate
        let limit = PieceLimits.maximumAudioSeconds
        guard seconds <= limit else {
            throw SynthesisError.audioTooLong(size: "last \(hours(seconds)) (\(Int(seconds.rounded(.up))) s)",
                                              limit: "Cadenza renders at most \(hours(limit)) (\(Int(limit)) s)")
        }
        if let depth = wavBitDepth, frames > WAVEncoder.maximumFrames(channels: 2, bitDepth: depth) {
            let gigabytes = Double(frames) * Double(2 * depth.bytesPerSample) / 1e9
            throw SynthesisError.audioTooLong(
                size: "take \(String(format: "%.1f", gigabytes)) GB as a \(depth == .float32 ? "32-bit float" : depth.rawValue + "-bit") WAV at \(Int(options.sampleRate)) Hz",
                limit: "a WAV file holds at most 4 GB; use a lower sample rate or bit depth")
        }
    }

    /// "4 hours", "18.6 hours", "12.5 minutes".
    private static func hours(_ seconds: Double) -> String {
        let (value, unit) = seconds >= 3600 ? (seconds / 3600, "hours") : (seconds / 60, "minutes")
        let text = String(format: "%.1f", value)
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + " " + unit
    }

    static func render(_ renderer: ScoreRenderer, into sink: AudioSink, options: RenderOptions,
                       soundFont: SoundFont?, progress: ((Double) -> Void)?) throws -> RenderedAudio {
        let source = try makeInstrument(options: options, soundFont: soundFont)
        let bus = MasterBus(sampleRate: options.sampleRate, gainDecibels: options.gainDecibels, reverb: options.reverb)
        var peak: Float = 0
        try renderer.render(source: source, bus: bus, progress: { done, total in
            progress?(total > 0 ? Double(done) / Double(total) : 1)
        }, sink: { samples in
            for s in samples { peak = max(peak, abs(s)) }
            try sink.consume(samples)
        })
        try sink.finish()
        return RenderedAudio(frames: renderer.totalFrames, sampleRate: options.sampleRate, peak: peak,
                             noteCount: renderer.noteCount, usedSoundFont: soundFont != nil)
    }
}
