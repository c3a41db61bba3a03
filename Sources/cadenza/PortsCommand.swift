// `cadenza ports`: the ALSA sequencer ports that can receive MIDI (like `aconnect -l`
// and `aplaymidi -l`), the default one marked, or why the sequencer cannot be opened.
import ArgumentParsing
import Playback

enum PortsCommand: Subcommand {
    /// Exit status when the ALSA sequencer cannot be opened (documented in the help).
    static let sequencerUnavailableStatus: Int32 = 3

    static let spec = CommandSpec(
        name: "ports", summary: "List the ALSA sequencer ports that can play (like aconnect -l)",
        usage: "ports",
        discussion: """
        Each row is a port `cadenza play --port CLIENT:PORT` (or a client name, as aplaymidi -p
        takes) can send to; * marks the first synthesizer, used when --port is left out.

        Exit status: 0 the ports were listed (even none); 2 bad arguments;
        3 the ALSA sequencer cannot be opened (e.g. no /dev/snd/seq: no sound support in this kernel).
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let listing: (ports: [SequencerPort], ownClient: Int)
        do {
            listing = try PlaybackFactory.listSequencerPorts()
        } catch let error as PlaybackError {
            throw CommandFailure("\(error)", exitStatus: sequencerUnavailableStatus)
        }
        print(SequencerPortList.format(listing.ports, excludingClient: listing.ownClient), terminator: "")
        return 0
    }
}
