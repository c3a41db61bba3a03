// `cadenza ports`: the ALSA sequencer ports that can receive MIDI (like `aconnect -l`
// and `aplaymidi -l`), the default one marked, or why the sequencer cannot be opened.
import ArgumentParsing
import Playback

enum PortsCommand: Subcommand {
    static let spec = CommandSpec(
        name: "ports", summary: "List the ALSA sequencer ports that can play (like aconnect -l)",
        usage: "ports", usesDevices: true,
        discussion: """
        Each row is a port `cadenza play --port CLIENT:PORT` (or a client name, as aplaymidi -p
        takes) can send to; * marks the first synthesizer, used when --port is left out.
        No ports is not an error (status 0); status 3 means the ALSA sequencer cannot be opened
        (e.g. no /dev/snd/seq: no sound support in this kernel).
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let listing: (ports: [SequencerPort], ownClient: Int)
        do {
            listing = try PlaybackFactory.listSequencerPorts()
        } catch let error as PlaybackError {
            throw CommandFailure("\(error)", exitStatus: ExitStatus.deviceUnavailable)
        }
        print(SequencerPortList.format(listing.ports, excludingClient: listing.ownClient), terminator: "")
        return 0
    }
}
