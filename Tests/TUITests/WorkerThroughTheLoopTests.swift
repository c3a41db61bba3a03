// The generation worker's controls as a person uses them through the real app loop:
// auto-accept off holds each finished bar as a candidate until enter, backspace rewinds,
// and undo takes back an accept or a rewind. Then the launcher end to end on a fake
// terminal: it closes the terminal once, and Ctrl-C keeps the take in a recovery file.
import FileSafety
import Foundation
import Generation
import MIDI
import Playback
import Testing
import TestSupport
@testable import TUI

extension ComposerOnAFakeTerminal {
    @Suite struct WorkerThroughTheLoopTests {
        @Test func autoAcceptOffHoldsTheCandidateUntilEnterAndUndoTakesTheAcceptBack() throws {
            // 140 columns: at 100 the settings line has no room left for "waiting: ...".
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 30, width: 140)
            var held = 0, afterWatching = 0, accepted = 0, undone = 0
            var candidateWhileHeld = false
            rig.terminal.press(.character("a"), when: "a bar", { ($0.barsShown ?? 0) >= 1 })
            rig.terminal.wait(for: "a held candidate", { $0.shows("waiting: enter accepts, r rewrites") }, then: {
                held = $0.barsShown ?? -1
                candidateWhileHeld = rig.app.worker.withSession { $0.hasCandidate && $0.candidateIsComplete }
            })
            rig.terminal.watch(frames: 30, then: { afterWatching = $0.barsShown ?? -1 })
            rig.terminal.press(.enter)
            rig.terminal.wait(for: "the accept", { $0.shows("bar \(held + 1) accepted") }, then: { accepted = $0.barsShown ?? -1 })
            rig.terminal.press(.character("u"))
            rig.terminal.wait(for: "the undo", { $0.shows("undid the accept") }, then: { undone = $0.barsShown ?? -1 })
            rig.terminal.press(.character("a"))
            rig.terminal.wait(for: "30 bars with auto-accept on", { $0.barsShown == 30 })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(held < 30 && candidateWhileHeld)
            #expect(afterWatching == held, "bars went on from \(held) to \(afterWatching) with auto-accept off")
            #expect(accepted == held + 1)
            #expect(undone == held)
        }

        @Test func backspaceRewindsABarAndPausesWritingAndUndoRestoresIt() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 6)
            var rewound = 0
            var notesBefore: [[Int]] = [], notesAfterUndo: [[Int]] = []
            let pitches = { rig.app.worker.withSession { $0.snapshot().bars.map { $0.notes.map(\.pitch) } } }
            rig.terminal.wait(for: "6 bars, finished", { $0.barsShown == 6 && $0.shows("finished") }, then: { _ in notesBefore = pitches() })
            rig.terminal.press(.backspace)
            rig.terminal.wait(for: "the rewind", { $0.shows("rewound one bar; writing paused") && $0.barsShown == 5 })
            rig.terminal.watch(frames: 20, then: { rewound = $0.barsShown ?? -1 })
            rig.terminal.press(.character("u"))
            rig.terminal.wait(for: "the undo", { $0.shows("undid the rewind of bar 6") && $0.barsShown == 6 }, then: { _ in notesAfterUndo = pitches() })
            rig.terminal.press(.character("s"))
            rig.terminal.wait(for: "saved", { $0.shows("saved ") })
            rig.terminal.press(.character("q"))
            #expect(rig.run() == .quit)
            #expect(rewound == 5, "writing went on after the rewind")
            #expect(notesAfterUndo == notesBefore && !notesBefore.joined().isEmpty)
        }

        /// Runs ComposerLauncher on `terminal` with the tiny checkpoint, the silent player and
        /// a takes folder; puts the test process's signal actions back afterwards (the launcher installs its own).
        func launch(_ terminal: FakeTerminal, takes: TemporaryFolder) throws -> ComposerLauncher.Outcome {
            var options = ComposerOptions()
            options.takesDirectory = takes.url.path
            options.playback = .silent(reason: "test")
            options.totalBars = 6
            options.lookaheadBars = 100
            let saved = SignalActions()
            defer { saved.restore() }
            let outcome = try ComposerLauncher.run(options: options, source: .checkpoint(Fixtures.url("checkpoints/generation_tiny.safetensors")),
                                                   openTerminal: { _ in terminal })
            if let failure = terminal.failure { Issue.record(Comment(rawValue: failure)) }
            return outcome
        }

        @Test func theLauncherClosesTheTerminalOnceAfterQuit() throws {
            let takes = try TemporaryFolder("cadenza-launch")
            defer { takes.remove() }
            let terminal = FakeTerminal()
            terminal.wait(for: "6 bars", { $0.barsShown == 6 })
            terminal.press(.character("q"))
            terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            let outcome = try launch(terminal, takes: takes)
            #expect(outcome.exitStatus == 0 && outcome.messages.isEmpty)
            #expect(terminal.closeCount == 1)
            #expect(terminal.scriptIsDone)
            #expect(try takeFiles(in: takes).isEmpty)
        }

        @Test func ctrlCEndsWithStatus130AndTheTakeInARecoveryFile() throws {
            let takes = try TemporaryFolder("cadenza-launch")
            defer { takes.remove() }
            let terminal = FakeTerminal()
            terminal.press(.interrupt, when: "6 bars", { $0.barsShown == 6 })
            let outcome = try launch(terminal, takes: takes)
            #expect(outcome.exitStatus == 128 + SIGINT)
            #expect(terminal.closeCount == 1)
            let files = try takeFiles(in: takes)
            let file = try #require(files.first)
            #expect(files.count == 1 && file.lastPathComponent.hasPrefix("recovered-"))
            #expect(outcome.messages == ["cadenza: interrupted; the take is saved in \(file.path)"])
            let score = PianoScore(midi: try MIDIFile(contentsOf: file))
            #expect(!score.notes.isEmpty && score.barStartTicks().count >= 6)
        }

        @Test func aTerminalThatCannotOpenIsReportedAndNothingIsLeftRunning() throws {
            struct NoTerminal: Error, CustomStringConvertible { var description: String { "not a terminal" } }
            var options = ComposerOptions()
            options.playback = .silent(reason: "test")
            let saved = SignalActions()
            defer { saved.restore() }
            #expect(throws: NoTerminal.self) {
                try ComposerLauncher.run(options: options, source: .checkpoint(Fixtures.url("checkpoints/generation_tiny.safetensors")),
                                         openTerminal: { _ in throw NoTerminal() })
            }
        }
    }
}

/// The process's actions for the signals the launcher handles, to put back after a test.
struct SignalActions {
    var actions: [Int32: sigaction] = [:]
    init() {
        for number in SignalFlag.handled {
            var action = sigaction()
            sigaction(number, nil, &action)
            actions[number] = action
        }
    }
    func restore() {
        for (number, action) in actions {
            var action = action
            sigaction(number, &action, nil)
        }
    }
}

@Suite struct GenerationWorkerRateTests {
    /// Regression: the rate used to sink while the worker waited (the tokens of the last
    /// second over a growing window), so a fast model waiting for enter showed a slow rate.
    @Test func theRateShownWhileTheWorkerWaitsIsTheRateItWroteAt() throws {
        let loaded = try LoadedModel.load(from: Fixtures.url("checkpoints/generation_tiny.safetensors"))
        let session = try CompositionSession(model: loaded.model, tokenizer: loaded.tokenizer, checkpointName: "generation_tiny", seed: 3)
        session.maximumTokensPerBar = 64
        let worker = GenerationWorker(session: session)
        worker.setControls(paused: false, autoAccept: false, barLimit: 100)
        worker.start()
        defer { worker.stop() }
        func poll(_ what: String, within seconds: Double = 20, _ condition: (GenerationWorker.Published) -> Bool) -> GenerationWorker.Published? {
            let deadline = Date(timeIntervalSinceNow: seconds)
            while Date() < deadline {
                let published = worker.take()
                if condition(published) { return published }
                Thread.sleep(forTimeInterval: 0.01)
            }
            Issue.record("gave up after \(seconds) s waiting for \(what)")
            return nil
        }
        let waiting = try #require(poll("a held candidate") { $0.waitingForAccept })
        #expect(waiting.tokensPerSecond > 0)
        // Past the one-second window, still waiting: the same rate.
        let start = Date()
        while Date().timeIntervalSince(start) < 1.2 {
            let published = worker.take()
            #expect(published.waitingForAccept)
            #expect(published.tokensPerSecond == waiting.tokensPerSecond, "the rate sank to \(published.tokensPerSecond) while waiting")
            if published.tokensPerSecond != waiting.tokensPerSecond { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}
