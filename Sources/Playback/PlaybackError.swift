// Why playback could not open, keep going, or start where asked. Messages are lowercase,
// say what failed and what to do; `cadenza play` and `cadenza ports` print them as they are.

public enum PlaybackError: Error, Equatable, CustomStringConvertible {
    case sequencerUnavailable(reason: String)
    case sequencerFailed(operation: String, reason: String)
    case portNotFound(String)
    case pcmUnavailable(device: String, reason: String)
    case pcmFailed(device: String, reason: String)
    case unknownSynth(String)
    /// No backend opened: each one's reason, in the order they were tried.
    case noBackend(reasons: [String])
    case nothingToPlay
    case barOutOfRange(bar: Int, barCount: Int)
    case invalidDuration(Double)

    public var description: String {
        switch self {
        case .sequencerUnavailable(let reason):
            return "ALSA sequencer unavailable: \(reason)"
        case .sequencerFailed(let operation, let reason):
            return "ALSA sequencer: \(operation) failed: \(reason)"
        case .portNotFound(let port):
            return "no sequencer port '\(port)'; see 'cadenza ports' for the ports that can receive"
        case .pcmUnavailable(let device, let reason):
            return "cannot open ALSA PCM device '\(device)': \(reason); try --device default, or see 'aplay -L'"
        case .pcmFailed(let device, let reason):
            return "ALSA PCM device '\(device)' failed: \(reason)"
        case .unknownSynth(let name):
            return "unknown synth '\(name)'; use --synth builtin (or leave it out for the ALSA sequencer)"
        case .noBackend(let reasons):
            return reasons.joined(separator: "; ")
        case .nothingToPlay:
            return "the file has no notes to play"
        case .barOutOfRange(let bar, let count):
            return "bar \(bar) is out of range: the piece has bars 1 to \(count)"
        case .invalidDuration(let seconds):
            return "--seconds must be a positive number of seconds, not \(seconds)"
        }
    }
}
