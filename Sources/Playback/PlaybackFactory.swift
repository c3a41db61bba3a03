// Opening a Player from options: the best backend there is (a softsynth's sequencer
// port, else the built-in piano on the default PCM device, else silent with the reasons),
// the ALSA sequencer (given port, or the first synth port, or none with a status
// message), the built-in synth over ALSA PCM, or silent.
// `open` throws when the asked-for backend cannot open (for `cadenza play`);
// `openPlayer` never fails and falls back to a silent player that keeps the reason.
import Foundation
import Synthesis

public struct PlaybackOptions: Sendable, Equatable {
    public enum Backend: Sendable, Equatable {
        /// The first that opens: a synthesizer port on the ALSA sequencer (FluidSynth,
        /// TiMidity), the built-in piano on the PCM `device`; else an error with both reasons.
        case automatic(device: String)
        /// The ALSA sequencer; `port` as aplaymidi -p takes it ("128:0", "FLUID Synth"),
        /// or nil for the first synthesizer port.
        case sequencer(port: String?)
        /// The built-in piano over an ALSA PCM device ("default", "hw:0", "file:'/tmp/x.raw',raw").
        case builtinSynth(device: String)
        case silent(reason: String)
    }
    public var backend: Backend
    /// How far ahead of the playhead the sequencer queue is filled (about one bar).
    public var lookaheadSeconds: Double
    public var sampleRate: Int
    /// The PCM render loop's period (the issue asks for about 10 ms)...
    public var pcmPeriodSeconds: Double
    /// ...and the device buffer in periods: 8 x 10 ms rides out a late period or two.
    public var pcmPeriodsPerBuffer: Int

    public init(backend: Backend = .automatic(device: "default"), lookaheadSeconds: Double = 2.0,
                sampleRate: Int = 44_100, pcmPeriodSeconds: Double = 0.01, pcmPeriodsPerBuffer: Int = 8) {
        self.backend = backend
        self.lookaheadSeconds = lookaheadSeconds
        self.sampleRate = sampleRate
        self.pcmPeriodSeconds = pcmPeriodSeconds
        self.pcmPeriodsPerBuffer = pcmPeriodsPerBuffer
    }
}

public enum PlaybackFactory {
    public static let clientName = "cadenza"
    public static let portName = "out"

    /// Opens exactly the backend `options` asks for, or throws a PlaybackError.
    public static func open(_ options: PlaybackOptions) throws -> ScheduledPlayer {
        switch options.backend {
        case .automatic(let device): return try openBest(device: device, options: options)
        case .sequencer(let port): return try openSequencer(port: port, lookaheadSeconds: options.lookaheadSeconds)
        case .builtinSynth(let device): return try openBuiltinSynth(device: device, options: options)
        case .silent(let reason): return silentPlayer(reason: reason)
        }
    }

    /// Opens the backend `options` asks for; when it cannot, a silent player whose
    /// status says why. Never fails: no sound card is not an error.
    public static func openPlayer(_ options: PlaybackOptions) -> Player {
        do {
            return try open(options)
        } catch {
            return silentPlayer(reason: "\(error)")
        }
    }

    public static func silentPlayer(reason: String) -> ScheduledPlayer {
        ScheduledPlayer(output: SilentOutput(nowSeconds: monotonicSeconds), statusDescription: "no sound: \(reason)",
                        isSilent: true, lookaheadSeconds: 2.0, pumpIntervalSeconds: 0.02)
    }

    /// Every sequencer port (for `cadenza ports`), and our own client id to leave out.
    public static func listSequencerPorts() throws -> (ports: [SequencerPort], ownClient: Int) {
        let client = try SequencerClient(name: clientName)
        defer { client.close() }
        return (client.ports(), client.clientID)
    }

    // MARK: backends

    /// A synth port if one is there, else the built-in piano; throws with both reasons.
    static func openBest(device: String, options: PlaybackOptions) throws -> ScheduledPlayer {
        var reasons: [String] = []
        do {
            let (ports, own) = try listSequencerPorts()
            if let synth = SequencerPortList.defaultPort(ports, excludingClient: own) {
                return try openSequencer(port: synth.address, lookaheadSeconds: options.lookaheadSeconds)
            }
            reasons.append("no synth port on the ALSA sequencer")
        } catch {
            reasons.append("\(error)")
        }
        do {
            return try openBuiltinSynth(device: device, options: options)
        } catch PlaybackError.pcmUnavailable(let device, let reason) {
            // Without the advice to try --device default: this was the default.
            reasons.append("cannot open ALSA PCM device '\(device)': \(reason)")
        } catch {
            reasons.append("\(error)")
        }
        throw PlaybackError.noBackend(reasons: reasons)
    }

    static func openSequencer(port: String?, lookaheadSeconds: Double) throws -> ScheduledPlayer {
        let client = try SequencerClient(name: clientName)
        do {
            let ourPort = try client.createOutputPort(name: portName)
            let queue = try client.allocateQueue(name: clientName, microsecondsPerQuarter: 500_000, ticksPerQuarter: 480)
            let ports = client.ports()
            let own = "\(clientName):\(portName) (\(client.clientID):\(ourPort))"
            var status: String
            if let port {
                guard let address = client.parseAddress(port),
                      let target = ports.first(where: { $0.client == address.client && $0.port == address.port }) else {
                    throw PlaybackError.portNotFound(port)
                }
                try client.connect(fromPort: ourPort, toClient: target.client, port: target.port)
                status = "ALSA seq → \(target.address) \(target.clientName)"
            } else if let target = SequencerPortList.defaultPort(ports, excludingClient: client.clientID) {
                do {
                    try client.connect(fromPort: ourPort, toClient: target.client, port: target.port)
                    status = "ALSA seq → \(target.address) \(target.clientName)"
                } catch {
                    status = "ALSA seq \(own), not connected: \(error)"
                }
            } else {
                status = "ALSA seq \(own), no synth port found: start fluidsynth or timidity -iA, or use --port"
            }
            let output = SequencerOutput(client: client, port: ourPort, queue: queue)
            return ScheduledPlayer(output: output, statusDescription: status, lookaheadSeconds: lookaheadSeconds,
                                   pumpIntervalSeconds: 0.02)
        } catch {
            client.close()
            throw error
        }
    }

    static func openBuiltinSynth(device: String, options: PlaybackOptions) throws -> ScheduledPlayer {
        let pcm = try PCMDevice(name: device, sampleRate: options.sampleRate, periodSeconds: options.pcmPeriodSeconds,
                                periodsPerBuffer: options.pcmPeriodsPerBuffer)
        let rate = Double(pcm.sampleRate)
        let piano = BuiltinPiano(sampleRate: rate)
        let bus = MasterBus(sampleRate: rate)
        let output = PCMOutput(device: pcm, source: piano, process: { bus.process($0, frames: $1) }, resetProcess: { bus.reset() })
        let player = ScheduledPlayer(output: output, statusDescription: "built-in synth → ALSA PCM '\(device)'",
                                     rendersAudio: true, lookaheadSeconds: max(0.25, 2 * output.bufferSeconds), pumpIntervalSeconds: nil)
        output.pump = { [weak player] in player?.pump() }
        return player
    }

    static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
