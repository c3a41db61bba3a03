// `cadenza render IN.mid --output OUT.wav|OUT.mp3`: audio from a MIDI file through the
// built-in piano or a SoundFont, with a progress bar on a terminal. Parsing and
// messages only; the work is AudioExport in Synthesis.
import ArgumentParsing
import Foundation
import MIDI
import Synthesis

enum RenderCommand: Subcommand {
    static let spec = CommandSpec(
        name: "render", summary: "Render a MIDI file to WAV or MP3 (built-in piano or a SoundFont)",
        usage: "render IN.mid --output OUT.wav|OUT.mp3 [--soundfont FILE.sf2] [--sample-rate 44100] [--gain dB] [--bit-depth 16|24|32f]",
        options: [
            OptionSpec("output", value: "FILE", short: "o", help: "Output file: .wav, or .mp3 (needs LAME: Debian 'lame' or 'libmp3lame0')"),
            SoundFontOption.spec,
            OptionSpec("sample-rate", value: "HZ", default: "44100", help: "Output sample rate"),
            OptionSpec("gain", value: "DB", default: "0", help: "Gain in decibels before the limiter (the output never clips)"),
            OptionSpec("bit-depth", value: "BITS", default: "16", help: "WAV sample format: 16, 24 or 32f (float)"),
            OptionSpec("no-reverb", help: "Dry output, without the room reverb"),
            OptionSpec("quiet", short: "q", help: "No progress bar"),
        ],
        positionals: [("IN.mid", "The MIDI file to render")], minPositionals: 1, maxPositionals: 1,
        requiredInputs: [["output"]],
        discussion: """
        The audio lasts as long as the music plus 2 seconds of release and reverb.
        Files are written atomically: an interrupted render leaves no partial file.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let input = arguments.positionals[0]
        guard let output = arguments.string("output") else {
            throw CommandFailure.usage("missing --output OUT.wav or OUT.mp3")
        }
        let format = try AudioOutputPath.format(of: output, option: "output")
        var options = RenderOptions()
        options.sampleRate = try arguments.double("sample-rate")
        options.gainDecibels = try arguments.double("gain")
        options.reverb = !arguments.flag("no-reverb")
        if let bits = arguments.string("bit-depth") {
            guard let depth = WAVBitDepth(rawValue: bits) else {
                throw CommandFailure.usage("--bit-depth must be 16, 24 or 32f (got '\(bits)')")
            }
            if format == .mp3 && depth != .int16 { printError("cadenza render: --bit-depth is ignored for MP3") }
            options.bitDepth = depth
        }
        do { try options.validate() } catch { throw CommandFailure.usage("\(error)") }

        let score: PianoScore, levels: [LevelChange]
        do {
            let midi = try readMIDIFile(input, command: "render")
            score = PianoScore(midi: midi)
            levels = PianoScore.levelChanges(in: midi)
        } catch {
            throw CommandFailure("\(error)")
        }
        let soundFont = try SoundFontOption.load(arguments)
        let showProgress = !arguments.flag("quiet") && isatty(STDERR_FILENO) == 1
        var lastDrawn = -1
        let progress: (Double) -> Void = { fraction in
            guard showProgress else { return }
            let percent = Int(fraction * 100)
            guard percent != lastDrawn else { return }
            lastDrawn = percent
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\rrendering [\(bar)] \(percent)%".utf8))
        }
        let started = Date()
        let audio: RenderedAudio
        do {
            audio = try AudioExport.write(score: score, levels: levels, to: URL(fileURLWithPath: output), options: options,
                                          soundFont: soundFont, progress: progress)
        } catch {
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CommandFailure("\(error)")
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if let warning = audio.silenceWarning(path: output) { printError("cadenza render: warning: \(warning)") }
        let audioSeconds = audio.seconds
        let elapsed = Date().timeIntervalSince(started)
        let speed = elapsed > 0 ? audioSeconds / elapsed : 0
        print(String(format: "wrote %@: %.1f s of audio, %d notes, rendered in %.2f s (%.0fx real time)",
                     output, audioSeconds, score.notes.count, elapsed, speed))
        return 0
    }
}
