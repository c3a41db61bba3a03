// The composer's options as values (parsed by the `compose` subcommand): checkpoint,
// playback backend, theme, sampling settings, seed, primer, style, takes folder.

import Generation
import Playback
import Synthesis
import Tokenization

public struct ComposerOptions: Sendable {
    public var checkpointPath: String?
    public var playback: PlaybackOptions.Backend = .automatic(device: "default")
    public var themeName: String?
    public var temperature: Double = SamplingSettings.default.temperature
    public var topP: Double = SamplingSettings.default.topP
    public var minP: Double = SamplingSettings.default.minP
    public var tempoTemperature: Double? = SamplingSettings.default.tempoTemperature
    /// The key of the bars the model writes (nil: its own choice).
    public var key: MusicalKey?
    /// Without `key`: let the model change key at any bar (else it keeps the first bar's).
    public var freeKey = false
    public var seed: UInt64 = 1
    public var primerPath: String?
    /// How many bars of the primer file to keep.
    public var primerBars = 4
    public var style: String?
    public var takesDirectory = "takes"
    /// What S renders the WAV with (nil: the built-in piano).
    public var soundFont: SoundFont?
    /// The length of the piece: writing stops after this many bars (primer included).
    public var totalBars: Int?
    /// A MIDI keyboard's sequencer port to connect to cadenza:in (`--input`); cadenza:in is
    /// opened anyway when there is a sequencer, so `aconnect` can connect one later.
    public var inputPort: String?
    /// Call and response: when the person stops playing for a bar, the model answers.
    public var respond = false
    /// Bars the model may write ahead of the playhead.
    public var lookaheadBars = 4
    /// NO_COLOR was set: draw without colours.
    public var noColour = false

    public init() {}
}
