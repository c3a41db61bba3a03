// The sampling options `generate` and `compose` share: temperature, top-p, min-p, the tempo
// temperature and the key (chosen, held or free); top-k for generate. One spelling and one
// help text here; the ranges and their message are the library's (SamplingSettings.Knob),
// the same the composer's session checks.
import ArgumentParsing
import Generation
import Tokenization

struct SamplingOptions {
    var settings: SamplingSettings
    var key: MusicalKey?
    var freeKey: Bool

    private static func help(_ text: String, _ knob: SamplingSettings.Knob) -> String { "\(text): \(knob.expected)" }

    static let specs: [OptionSpec] = [
        OptionSpec("temperature", value: "T", aliases: ["temp"], default: String(SamplingSettings.default.temperature),
                   help: help("Sampling temperature (lower is safer, higher wilder)", .temperature)),
        OptionSpec("top-p", value: "P", default: String(SamplingSettings.default.topP),
                   help: help("Sample among the most probable tokens holding mass P", .topP)),
        OptionSpec("min-p", value: "P", default: String(SamplingSettings.default.minP),
                   help: help("Drop tokens less than P times as probable as the best one", .minP)),
        OptionSpec("tempo-temperature", value: "T", default: SamplingSettings.default.tempoTemperature.map { String($0) },
                   defaultNote: SamplingSettings.default.tempoTemperature == nil ? "the temperature" : nil,
                   help: help("Temperature of tempo changes (lower keeps the tempo steadier)", .tempoTemperature)),
        OptionSpec("key", value: "KEY", help: "Write every bar in this key, e.g. \"E minor\", \"Eb major\", \"F#m\" (models with KEY tokens)"),
        OptionSpec("free-key", help: "Let the model change key at any bar (default: it keeps the key of its first bar)"),
    ]

    /// `--top-k`, which only `generate` takes (the composer samples without it).
    static let topKSpec = OptionSpec("top-k", value: "K", default: String(SamplingSettings.default.topK),
                                     help: help("Sample among the K most probable tokens only", .topK))

    /// Parses and validates the options; a bad value exits 2 with the library's message.
    init(_ arguments: ParsedArguments) throws {
        let d = SamplingSettings.default
        settings = SamplingSettings(
            temperature: try arguments.double("temperature"),
            topK: arguments.declares("top-k") ? try arguments.int("top-k") : d.topK,  // compose has no --top-k
            topP: try arguments.double("top-p"),
            minP: try arguments.double("min-p"),
            tempoTemperature: try arguments.optionalDouble("tempo-temperature"))  // its default is the spec's
        do { settings = try settings.validated() } catch { throw CommandFailure.usage("\(error)") }
        freeKey = arguments.flag("free-key")
        if freeKey && arguments.has("key") { throw CommandFailure.usage("--key and --free-key exclude each other") }
        key = nil
        if let name = arguments.string("key") {
            do { key = try MusicalKey.parse(name) } catch { throw CommandFailure.usage("--key: \(error)") }
        }
    }
}
