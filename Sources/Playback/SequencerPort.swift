// Sequencer ports as `cadenza ports` lists them, the choice of the default port
// (the first synthesizer that can receive), and the listing's text. Pure: the ports
// come from SequencerClient.ports().

/// One sequencer port, as `aconnect -l` shows it.
public struct SequencerPort: Hashable, Sendable {
    public var client: Int
    public var port: Int
    public var clientName: String
    public var portName: String
    public var isKernelClient: Bool
    /// Other clients can send to it and subscribe to it (aconnect's "write" side).
    public var canReceive: Bool
    /// Its type bits say synthesizer (FluidSynth, TiMidity, a sound card's synth).
    public var isSynth: Bool
    public var isHardware: Bool
    public var isApplication: Bool

    public init(client: Int, port: Int, clientName: String, portName: String, isKernelClient: Bool = false,
                canReceive: Bool = true, isSynth: Bool = false, isHardware: Bool = false, isApplication: Bool = false) {
        self.client = client
        self.port = port
        self.clientName = clientName
        self.portName = portName
        self.isKernelClient = isKernelClient
        self.canReceive = canReceive
        self.isSynth = isSynth
        self.isHardware = isHardware
        self.isApplication = isApplication
    }

    /// "128:0".
    public var address: String { "\(client):\(port)" }

    var typeDescription: String {
        var words: [String] = [isSynth ? "synth" : "midi"]
        if isHardware { words.append("hardware") }
        if isApplication { words.append("application") }
        if isKernelClient { words.append("kernel") }
        return words.joined(separator: ", ")
    }
}

public enum SequencerPortList {
    /// Ports other clients can send to, without the System client (0) and `excludingClient`.
    public static func receiving(_ ports: [SequencerPort], excludingClient: Int? = nil) -> [SequencerPort] {
        ports.filter { $0.canReceive && $0.client != 0 && $0.client != excludingClient }
    }

    /// Where `cadenza play` connects without --port: the first receiving synthesizer port.
    public static func defaultPort(_ ports: [SequencerPort], excludingClient: Int? = nil) -> SequencerPort? {
        receiving(ports, excludingClient: excludingClient).first { $0.isSynth }
    }

    /// The listing `cadenza ports` prints: one row per receiving port, the default marked.
    public static func format(_ ports: [SequencerPort], excludingClient: Int? = nil) -> String {
        let rows = receiving(ports, excludingClient: excludingClient)
        guard !rows.isEmpty else {
            return "No sequencer port can receive MIDI. Start a softsynth, e.g.\n"
                + "  fluidsynth -a pulseaudio -m alsa_seq /usr/share/sounds/sf2/FluidR3_GM.sf2\n"
                + "or timidity -iA, then run 'cadenza ports' again.\n"
        }
        let chosen = defaultPort(ports, excludingClient: excludingClient)
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
        var out = "  " + pad("Port", 9) + pad("Client name", 33) + pad("Port name", 33) + "Type\n"
        for port in rows {
            let mark = port == chosen ? "* " : "  "
            out += mark + pad(port.address, 9) + pad(port.clientName, 33) + pad(port.portName.trimmingTrailingSpaces, 33)
                + port.typeDescription + "\n"
        }
        if let chosen {
            out += "\n* = the port 'cadenza play' uses without --port (the first synthesizer: \(chosen.address)).\n"
        } else {
            out += "\nNo synthesizer port: 'cadenza play' needs --port CLIENT:PORT (or start fluidsynth or timidity -iA).\n"
        }
        return out
    }
}

extension String {
    /// Kernel clients pad port names with spaces ("VirMIDI 1-0     ").
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
