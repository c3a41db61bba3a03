// The options `generate` and `compose` share for what the model writes beyond temperature
// and top-p: min-p, the tempo temperature and the key (chosen, held or free). One spelling,
// one help text and one validation for both commands.
import ArgumentParsing
import Generation
import Tokenization

struct KeyAndTempoOptions {
    var minP: Double
    var tempoTemperature: Double?
    var key: MusicalKey?
    var freeKey: Bool

    static let specs: [OptionSpec] = [
        OptionSpec("min-p", value: "P", default: String(SamplingSettings.default.minP),
                   help: "Drop tokens less than P times as probable as the best one, in [0, 1)"),
        OptionSpec("tempo-temperature", value: "T", default: SamplingSettings.default.tempoTemperature.map { String($0) } ?? "the temperature",
                   help: "Temperature of tempo changes, in (0, 3]: lower keeps the tempo steadier"),
        OptionSpec("key", value: "KEY", help: "Write every bar in this key, e.g. \"E minor\", \"Eb major\", \"F#m\" (models with KEY tokens)"),
        OptionSpec("free-key", help: "Let the model change key at any bar (default: it keeps the key of its first bar)"),
    ]

    /// Parses and checks the options; a bad value exits 2 with a message naming it.
    init(_ arguments: ParsedArguments) throws {
        minP = try arguments.double("min-p", default: SamplingSettings.default.minP)
        guard minP >= 0, minP < 1 else { throw CommandFailure("--min-p must be in [0, 1) (got \(minP))", exitStatus: 2) }
        tempoTemperature = try arguments.double("tempo-temperature") ?? SamplingSettings.default.tempoTemperature
        if let t = tempoTemperature, !(t > 0 && t <= 3) {
            throw CommandFailure("--tempo-temperature must be in (0, 3] (got \(t))", exitStatus: 2)
        }
        freeKey = arguments.flag("free-key")
        if freeKey && arguments.has("key") { throw CommandFailure("--key and --free-key exclude each other", exitStatus: 2) }
        key = nil
        if let name = arguments.string("key") {
            do { key = try MusicalKey.parse(name) } catch { throw CommandFailure("--key: \(error)", exitStatus: 2) }
        }
    }
}
