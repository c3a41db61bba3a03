// The Player API over a recording backend (no thread: pumped by hand), the silent
// player, scores as playback bars, and the port listing.
import Foundation
import Testing
import MIDI
@testable import Playback

@Suite struct ScheduledPlayerTests {
    @Test func playerDrivesTheOutputThroughTheProtocol() {
        let output = RecordingOutput()
        let player: Player = ScheduledPlayer(output: output, statusDescription: "recording", lookaheadSeconds: 1,
                                             pumpIntervalSeconds: nil)
        player.schedule(bar: 0, notes: [PlaybackNote(pitch: 60, velocity: 90, onsetSeconds: 0.25, durationSeconds: 0.5)])
        player.schedule(bar: 1, notes: [PlaybackNote(pitch: 62, velocity: 90, onsetSeconds: 2.0, durationSeconds: 0.5)])
        #expect(player.endSeconds == 2.5)
        player.play(fromSeconds: 0)
        #expect(player.state == .playing)
        #expect(output.enqueued.map(\.bar) == [0, 0])
        output.clock = 1.2
        (player as! ScheduledPlayer).pump()
        #expect(output.enqueued.map(\.bar) == [0, 0, 1])   // bar 1's note-on; its note-off at 2.5 is beyond 2.2
        #expect(player.positionSeconds == 1.2)
        player.pause()
        #expect(player.state == .paused)
        player.close()
        #expect(output.calls.last == .close)
        player.play(fromSeconds: 0)        // closed: does nothing
        #expect(output.calls.last == .close)
    }

    @Test func silentPlayerKeepsTheReasonAndRunsItsClockToTheEnd() async throws {
        let player = PlaybackFactory.silentPlayer(reason: "ALSA sequencer unavailable: no /dev/snd/seq")
        defer { player.close() }
        #expect(player.isSilent)
        #expect(player.statusDescription == "no sound: ALSA sequencer unavailable: no /dev/snd/seq")
        player.schedule(bar: 0, notes: [PlaybackNote(pitch: 60, velocity: 90, onsetSeconds: 0, durationSeconds: 0.05)])
        player.play(fromSeconds: 0, untilSeconds: 0.1)
        var waited = 0
        while player.state == .playing && waited < 200 {   // at most 10 s, normally 0.1 s
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 1
        }
        #expect(player.state == .stopped)
        #expect(player.positionSeconds == 0.1)
    }

    @Test func sequencerFailureIsAnErrorForOpenAndASilentStatusForOpenPlayer() throws {
        let options = PlaybackOptions(backend: .sequencer(port: nil))
        let player = PlaybackFactory.openPlayer(options)
        defer { player.close() }
        if !FileManager.default.fileExists(atPath: "/dev/snd/seq") {
            #expect(throws: PlaybackError.self) { try PlaybackFactory.open(options) }
            do {
                _ = try PlaybackFactory.open(options)
            } catch let error as PlaybackError {
                #expect("\(error)".hasPrefix("ALSA sequencer unavailable: no /dev/snd/seq"))
            }
            #expect(player.isSilent)
            #expect(player.statusDescription.hasPrefix("no sound: ALSA sequencer unavailable: no /dev/snd/seq"))
        } else {
            #expect(!player.isSilent)
            #expect(player.statusDescription.hasPrefix("ALSA seq"))
        }
    }

    @Test func aMissingPCMDeviceFallsBackToSilent() {
        let player = PlaybackFactory.openPlayer(PlaybackOptions(backend: .builtinSynth(device: "hw:NoSuchCard,7")))
        defer { player.close() }
        #expect(player.isSilent)
        #expect(player.statusDescription.contains("cannot open ALSA PCM device 'hw:NoSuchCard,7'"))
    }

    @Test func scoreBecomesBarsInSeconds() {
        // 4/4 at 480 ticks per quarter; 120 BPM, then 60 BPM from bar 2 (tick 3840).
        let score = PianoScore(ticksPerQuarter: 480,
                               notes: [ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 480),
                                       ScoreNote(pitch: 61, velocity: 81, onsetTicks: 1919, durationTicks: 1),
                                       ScoreNote(pitch: 62, velocity: 81, onsetTicks: 1920, durationTicks: 480),
                                       ScoreNote(pitch: 64, velocity: 82, onsetTicks: 3840, durationTicks: 480)],
                               tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 120), TempoChange(ticks: 3840, beatsPerMinute: 60)])
        let bars = score.playbackBars()
        #expect(bars.map(\.index) == [0, 1, 2])
        #expect(bars.map(\.startSeconds) == [0, 2, 4])
        #expect(bars[0].notes.map(\.pitch) == [60, 61])
        #expect(bars[0].notes[0] == PlaybackNote(pitch: 60, velocity: 80, onsetSeconds: 0, durationSeconds: 0.5))
        #expect(abs(bars[0].notes[1].onsetSeconds - 1919.0 / 960) < 1e-12)
        #expect(bars[1].notes == [PlaybackNote(pitch: 62, velocity: 81, onsetSeconds: 2, durationSeconds: 0.5)])
        #expect(bars[2].notes == [PlaybackNote(pitch: 64, velocity: 82, onsetSeconds: 4, durationSeconds: 1)])
    }
}
