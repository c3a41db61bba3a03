// `cadenza play FILE`: plays a MIDI file through the ALSA sequencer (a port, or the
// first synth) or the built-in synth over ALSA PCM, from a bar, for at most S seconds,
// with a progress line; Ctrl-C stops cleanly (all notes off). Work is in Playback.
import ArgumentParsing
import FileSafety
import Foundation
import MIDI
import Playback

enum PlayCommand: Subcommand {
    static let spec = CommandSpec(
        name: "play", summary: "Play a MIDI file through an ALSA softsynth or the built-in synth",
        usage: "play FILE.mid [--port CLIENT:PORT | --synth builtin] [--device NAME] [--from-bar N] [--seconds S]",
        options: PlaybackArguments.specs + [
            OptionSpec("from-bar", value: "N", default: "1", help: "Start at bar N"),
            OptionSpec("seconds", value: "S", help: "Play at most S seconds of music"),
            OptionSpec("verbose", short: "v", help: "Print the backend's measurements at the end (PCM underruns, render time)"),
        ],
        positionals: [("FILE.mid", "The MIDI file to play")], minPositionals: 1, maxPositionals: 1, usesDevices: true,
        discussion: """
        \(PlaybackArguments.backendOrder) The first line says which plays. With
        --port, cadenza:out plays to that port. With the built-in piano, the audio device paces
        playback (ALSA's null and file devices take the audio faster than real time).
        A bar out of range is status 1; status 3 means the backend cannot open (no ALSA
        sequencer, e.g. no /dev/snd/seq; unknown port; PCM device); Ctrl-C stops after all notes off.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.positionals[0]
        let backend = try PlaybackArguments.backend(arguments)
        let fromBar = try arguments.int("from-bar")
        let maxSeconds = try arguments.optionalDouble("seconds")

        let midi: MIDIFile
        do {
            midi = try readMIDIFile(path, command: "play")
        } catch {
            throw CommandFailure("\(error)")
        }
        // The plan is checked before any device opens (a wrong bar is a wrong bar), then
        // made again with the tail the backend needs.
        func plan(tail: Double) throws -> PlaybackPlan {
            do {
                return try PlaybackPlan(score: PianoScore(midi: midi), fromBar: fromBar, maxSeconds: maxSeconds, tailSeconds: tail)
            } catch {
                throw CommandFailure("\(path): \(error)")
            }
        }
        _ = try plan(tail: 1)
        let player: ScheduledPlayer
        do {
            player = try PlaybackFactory.open(PlaybackOptions(backend: backend))
        } catch {
            throw CommandFailure("\(error)", exitStatus: ExitStatus.deviceUnavailable)
        }
        // The built-in piano renders its release and reverb; a softsynth rings on by itself.
        let plan = try plan(tail: player.rendersAudio ? 1.0 : 0.25)

        let interrupted = SignalFlag()
        interrupted.install([SIGINT, SIGTERM, SIGQUIT])
        for bar in plan.barsToPlay where !bar.notes.isEmpty { player.schedule(bar: bar.index, notes: bar.notes) }

        let tty = isatty(STDERR_FILENO) == 1
        printError("cadenza play: \(path), bars \(plan.firstBarIndex + 1)-\(plan.bars.count), "
                   + String(format: "%.1f s", plan.untilSeconds - plan.fromSeconds) + " → \(player.statusDescription)")
        player.play(fromSeconds: plan.fromSeconds, untilSeconds: plan.untilSeconds)
        while player.state == .playing && !interrupted.isSet {
            if tty { writeStderr("\r" + plan.progressLine(positionSeconds: player.positionSeconds) + "\u{1B}[K") }
            usleep(50_000)
        }
        let wasInterrupted = interrupted.isSet
        let position = player.positionSeconds
        if wasInterrupted { player.stop() }   // all notes off, sustain off (close does it too)
        let diagnostics = player.diagnostics
        player.close()
        if tty { writeStderr("\r\u{1B}[K") }
        if arguments.flag("verbose"), let diagnostics { printError("cadenza play: \(diagnostics)") }
        let summary = plan.progressLine(positionSeconds: position)
        if wasInterrupted {
            printError("cadenza play: interrupted at \(summary); all notes off")
            return ExitStatus.interrupted
        }
        printError("cadenza play: done, \(summary)")
        return 0
    }

    private static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
