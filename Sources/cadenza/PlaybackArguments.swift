// The playback options `play` and `compose` share: one spelling, one help text and one
// validation. Without any of them the best backend there is plays (a softsynth's port,
// else the built-in piano on the PCM device, else silence with the reasons).
import ArgumentParsing
import Playback

enum PlaybackArguments {
    static let specs: [OptionSpec] = [
        OptionSpec("port", value: "CLIENT:PORT", short: "p",
                   help: "Sequencer port to play to: 128:0, or a client name such as 'FLUID Synth' (see 'cadenza ports')"),
        OptionSpec("synth", value: "builtin", help: "Play with the built-in piano over ALSA PCM, not a softsynth"),
        OptionSpec("device", value: "NAME", aliases: ["pcm-device"], default: "default",
                   help: "ALSA PCM device of the built-in piano ('default', 'hw:0', 'null')"),
    ]

    /// The order `--port`/`--synth`-less playback tries, for the help texts.
    static let backendOrder = """
        Without --port or --synth the best backend there is plays: the first sequencer port
        whose type says synthesizer (FluidSynth, TiMidity), else the built-in piano on the ALSA
        PCM device (--device, 'default' unless given), else nothing (the reasons are shown).
        """

    /// The backend the options ask for; `silentAllowed` adds --no-audio (the composer's).
    static func backend(_ arguments: ParsedArguments, silentAllowed: Bool = false) throws -> PlaybackOptions.Backend {
        let port = arguments.string("port")
        let device = arguments.string("device") ?? "default"
        if silentAllowed && arguments.flag("no-audio") {
            guard port == nil, !arguments.has("synth") else {
                throw CommandFailure.usage("choose one of --port, --synth builtin and --no-audio")
            }
            return .silent(reason: "--no-audio")
        }
        if let synth = arguments.string("synth") {
            guard synth == "builtin" else { throw CommandFailure.usage("\(PlaybackError.unknownSynth(synth))") }
            guard port == nil else { throw CommandFailure.usage("--port and --synth builtin cannot be used together") }
            return .builtinSynth(device: device)
        }
        if let port {
            guard !arguments.has("device") else {
                throw CommandFailure.usage("--device is for the built-in piano; --port plays to a sequencer port")
            }
            return .sequencer(port: port)
        }
        return .automatic(device: device)
    }
}
