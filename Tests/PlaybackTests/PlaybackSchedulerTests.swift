// The scheduling logic against a recording backend: which events, at which times,
// with which bar tags; the lookahead; bars added, replaced and removed while playing;
// pause, resume, stop and the end time.
import Testing
@testable import Playback

/// Three bars of two seconds each (4/4 at 120 BPM).
private let fixtureBars: [Int: [PlaybackNote]] = [
    0: [PlaybackNote(pitch: 60, velocity: 80, onsetSeconds: 0.0, durationSeconds: 0.5),
        PlaybackNote(pitch: 64, velocity: 90, onsetSeconds: 1.0, durationSeconds: 1.5)],   // held into bar 1
    1: [PlaybackNote(pitch: 67, velocity: 70, onsetSeconds: 2.0, durationSeconds: 0.5),
        PlaybackNote(pitch: 72, velocity: 60, onsetSeconds: 3.0, durationSeconds: 0.5)],
    2: [PlaybackNote(pitch: 60, velocity: 100, onsetSeconds: 4.0, durationSeconds: 1.0),
        PlaybackNote(pitch: 60, velocity: 50, onsetSeconds: 5.0, durationSeconds: 0.5)],  // same key again at 5.0
]

private func on(_ seconds: Double, _ pitch: Int, _ velocity: Int, bar: Int) -> PlaybackEvent {
    PlaybackEvent(seconds: seconds, kind: .noteOn(pitch: pitch, velocity: velocity), bar: bar)
}
private func off(_ seconds: Double, _ pitch: Int, bar: Int) -> PlaybackEvent {
    PlaybackEvent(seconds: seconds, kind: .noteOff(pitch: pitch), bar: bar)
}

private func makeScheduler(lookahead: Double = 2.0) -> (PlaybackScheduler, RecordingOutput) {
    let output = RecordingOutput()
    let scheduler = PlaybackScheduler(output: output, lookaheadSeconds: lookahead)
    for bar in fixtureBars.keys.sorted() { scheduler.schedule(bar: bar, notes: fixtureBars[bar]!) }
    return (scheduler, output)
}

/// Advances the clock in steps, pumping at each, as the pump thread does.
private func run(_ scheduler: PlaybackScheduler, _ output: RecordingOutput, to seconds: Double, step: Double = 0.0625) {
    while output.clock < seconds - 1e-9 {
        output.clock = min(seconds, output.clock + step)
        scheduler.pump()
    }
}

@Suite struct PlaybackSchedulerTests {
    /// Every event of the fixture, in queue order.
    let allEvents: [PlaybackEvent] = [
        on(0.0, 60, 80, bar: 0), off(0.5, 60, bar: 0), on(1.0, 64, 90, bar: 0),
        on(2.0, 67, 70, bar: 1), off(2.5, 64, bar: 0), off(2.5, 67, bar: 1), on(3.0, 72, 60, bar: 1), off(3.5, 72, bar: 1),
        on(4.0, 60, 100, bar: 2), off(5.0, 60, bar: 2), on(5.0, 60, 50, bar: 2), off(5.5, 60, bar: 2),
    ]

    @Test func schedulingWhileStoppedSendsNothing() {
        let (scheduler, output) = makeScheduler()
        #expect(output.calls.isEmpty)
        #expect(scheduler.state == .stopped)
        #expect(scheduler.endSeconds == 5.5)
    }

    @Test func playHandsOverOnlyTheLookahead() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        #expect(output.calls.first == .startClock(0))
        // Before 2.0 s: bar 0's note-ons and C4's note-off; nothing of bar 1 yet.
        #expect(output.enqueued == [on(0.0, 60, 80, bar: 0), off(0.5, 60, bar: 0), on(1.0, 64, 90, bar: 0)])
        #expect(scheduler.state == .playing)
    }

    @Test func pumpingThroughThePieceHandsOverEveryEventOnceInOrder() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 6.0)
        #expect(output.enqueued == allEvents)
        #expect(Set(output.enqueued).count == output.enqueued.count)
    }

    @Test func eventsAreHandedOverJustInTimeForTheLookahead() {
        let (scheduler, output) = makeScheduler(lookahead: 1.0)
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        var handedAt: [PlaybackEvent: Double] = [:]
        var seen = 0
        while output.clock < 6.0 {
            output.clock += 0.05
            scheduler.pump()
            for event in output.enqueued.dropFirst(seen) { handedAt[event] = output.clock }
            seen = output.enqueued.count
        }
        for event in allEvents where event.seconds >= 1.0 {
            let at = handedAt[event]!
            #expect(at <= event.seconds - 1.0 + 0.05 + 1e-9, "handed over too late: \(event)")
            #expect(at > event.seconds - 1.0 - 1e-9, "handed over too early: \(event)")
        }
    }

    @Test func playFromTheMiddleSkipsEarlierOnsets() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 2.0, untilSeconds: nil)
        run(scheduler, output, to: 6.0)
        #expect(output.calls.first == .startClock(2.0))
        // E4 (onset 1.0) is not restarted mid-note and its note-off is not sent either.
        #expect(output.enqueued == Array(allEvents.dropFirst(3)).filter { $0 != off(2.5, 64, bar: 0) })
        #expect(scheduler.positionSeconds == 6.0)
    }

    @Test func removingABarDropsItsPendingEventsAndStopsItsSoundingNotes() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 2.25)     // G4 (bar 1) sounding since 2.0; E4 (bar 0) too
        scheduler.removeBar(1)
        #expect(output.calls.contains(.removeQueued(bar: 1)))
        // G4 is cut at the clock; bar 0's E4 is untouched.
        if case .enqueue(let offs) = output.calls.last {
            #expect(offs == [off(2.25, 67, bar: 1)])   // not C5: it starts at 3.0
        } else {
            Issue.record("no note-off for the sounding note of the removed bar")
        }
        run(scheduler, output, to: 6.0)
        output.deliverDue()
        let heard = output.heard
        #expect(!heard.contains(on(3.0, 72, 60, bar: 1)))
        #expect(!heard.contains(off(2.5, 67, bar: 1)))
        #expect(heard.contains(off(2.5, 64, bar: 0)))
        #expect(heard.filter { $0.bar == 2 }.count == 4)
    }

    @Test func removingABarBeforeItsTimeLeavesNoTrace() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 0.5)
        scheduler.removeBar(2)
        run(scheduler, output, to: 6.0)
        #expect(output.enqueued.allSatisfy { $0.bar != 2 })
        #expect(scheduler.endSeconds == 3.5)
    }

    @Test func aBarWrittenWhilePlayingIsPlayedFromTheClockOn() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 5.2)
        // Bar 3 arrives late: its first note's onset (5.0) is already past.
        scheduler.schedule(bar: 3, notes: [PlaybackNote(pitch: 48, velocity: 64, onsetSeconds: 5.0, durationSeconds: 0.5),
                                           PlaybackNote(pitch: 50, velocity: 64, onsetSeconds: 6.5, durationSeconds: 0.5)])
        run(scheduler, output, to: 8.0)
        let bar3 = output.enqueued.filter { $0.bar == 3 }
        #expect(bar3 == [on(6.5, 50, 64, bar: 3), off(7.0, 50, bar: 3)])
    }

    @Test func replacingABarSwapsItsNotes() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 2.6)      // bar 1's 72 at 3.0 is already queued
        let newBar1 = [PlaybackNote(pitch: 74, velocity: 70, onsetSeconds: 3.25, durationSeconds: 0.25)]
        scheduler.schedule(bar: 1, notes: newBar1)
        #expect(output.calls.contains(.removeQueued(bar: 1)))
        run(scheduler, output, to: 6.0)
        output.deliverDue()
        let bar1 = output.heard.filter { $0.bar == 1 && $0.seconds > 2.6 }
        #expect(bar1 == [on(3.25, 74, 70, bar: 1), off(3.5, 74, bar: 1)])
    }

    @Test func pauseSilencesAndKeepsThePlayheadAndResumeGoesOnFromIt() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 1.5)
        let before = output.calls.count
        scheduler.pause()
        #expect(Array(output.calls[before...]) == [.stopClock, .removeAllQueued, .silence])
        #expect(scheduler.state == .paused)
        #expect(scheduler.positionSeconds == 1.5)
        output.clock = 99      // a stopped output's clock does not matter any more
        #expect(scheduler.positionSeconds == 1.5)
        scheduler.pump()
        #expect(output.calls.count == before + 3)
        scheduler.resume()
        #expect(output.calls[before + 3] == .startClock(1.5))
        #expect(output.enqueued.last == on(2.0, 67, 70, bar: 1) || output.enqueued.contains(on(2.0, 67, 70, bar: 1)))
        #expect(scheduler.state == .playing)
    }

    @Test func stopSilencesEvenWhenNotPlaying() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 1.0)
        scheduler.stop()
        #expect(scheduler.state == .stopped)
        #expect(Array(output.calls.suffix(3)) == [.stopClock, .removeAllQueued, .silence])
        scheduler.stop()
        #expect(Array(output.calls.suffix(3)) == [.stopClock, .removeAllQueued, .silence])
    }

    @Test func untilSecondsCutsNotesAndStopsThere() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: 3.0)
        run(scheduler, output, to: 2.9)
        // Near the end everything left is handed over; nothing starts at or after 3.0.
        #expect(output.enqueued == [
            on(0.0, 60, 80, bar: 0), off(0.5, 60, bar: 0), on(1.0, 64, 90, bar: 0),
            on(2.0, 67, 70, bar: 1), off(2.5, 64, bar: 0), off(2.5, 67, bar: 1),
        ])
        #expect(scheduler.state == .playing)
        run(scheduler, output, to: 3.1)
        #expect(scheduler.state == .stopped)
        #expect(scheduler.positionSeconds == 3.0)
        #expect(Array(output.calls.suffix(3)) == [.stopClock, .removeAllQueued, .silence])
    }

    @Test func untilSecondsClampsHeldNotes() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: 2.2)
        run(scheduler, output, to: 2.3)
        #expect(output.enqueued.suffix(3) == [on(2.0, 67, 70, bar: 1), off(2.2, 64, bar: 0), off(2.2, 67, bar: 1)])
    }

    @Test func removeAllBarsEmptiesThePiece() {
        let (scheduler, output) = makeScheduler()
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        run(scheduler, output, to: 0.2)
        scheduler.removeAllBars()
        #expect(scheduler.scheduledBars.isEmpty)
        #expect(scheduler.endSeconds == 0)
        #expect(output.calls.contains(.removeQueued(bar: 0)) && output.calls.contains(.removeQueued(bar: 2)))
        let count = output.enqueued.count
        run(scheduler, output, to: 6.0)
        #expect(output.enqueued.count == count)
    }

    @Test func outOfRangeNotesAreDroppedAndVelocitiesClamped() {
        let output = RecordingOutput()
        let scheduler = PlaybackScheduler(output: output, lookaheadSeconds: 2)
        scheduler.schedule(bar: 0, notes: [PlaybackNote(pitch: 128, velocity: 64, onsetSeconds: 0, durationSeconds: 1),
                                           PlaybackNote(pitch: 21, velocity: 200, onsetSeconds: 0.125, durationSeconds: 0.125),
                                           PlaybackNote(pitch: 22, velocity: 0, onsetSeconds: 0.25, durationSeconds: 0.125)])
        scheduler.play(fromSeconds: 0, untilSeconds: nil)
        #expect(output.enqueued == [on(0.125, 21, 127, bar: 0), off(0.25, 21, bar: 0), on(0.25, 22, 1, bar: 0), off(0.375, 22, bar: 0)])
    }

    @Test func sameTimeNoteOffsComeBeforeNoteOns() {
        let events = [on(1, 60, 10, bar: 0), off(1, 60, bar: 0), on(1, 59, 10, bar: 1), off(1, 61, bar: 1)]
        let sorted = events.sorted(by: PlaybackEvent.precedes)
        #expect(sorted == [off(1, 60, bar: 0), off(1, 61, bar: 1), on(1, 59, 10, bar: 1), on(1, 60, 10, bar: 0)])
    }

    @Test func barTagsAreNeverZeroAndDifferForNeighbours() {
        for bar in 0..<600 {
            let tag = SequencerOutput.tag(forBar: bar)
            #expect(tag != 0)
            #expect(tag != SequencerOutput.tag(forBar: bar + 1))
        }
        #expect(SequencerOutput.tag(forBar: 0) == SequencerOutput.tag(forBar: 255))
        #expect(SequencerOutput.tag(forBar: -1) != 0)
    }
}
