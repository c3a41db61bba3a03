// The real app loop (ComposerApp.run) with the real generation worker writing with a tiny
// real checkpoint (Tests/Fixtures/checkpoints/generation_tiny.safetensors) and the silent
// player, driven through FakeTerminal: what a person sees on the screen as they press keys.
import FileSafety
import Foundation
import Generation
import MIDI
import Playback
import Testing
import TestSupport
@testable import TUI

/// One composer on a fake terminal: the app, its worker, and a takes folder removed afterwards.
final class ComposerRig {
    let terminal: FakeTerminal
    let app: ComposerApp
    let takes: TemporaryFolder
    let player: Player

    init(lookaheadBars: Int = 4, totalBars: Int? = nil, width: Int = 100, height: Int = 24) throws {
        let loaded = try LoadedModel.load(from: Fixtures.url("checkpoints/generation_tiny.safetensors"))
        takes = try TemporaryFolder("cadenza-app-loop")
        var options = ComposerOptions()
        options.takesDirectory = takes.url.path
        options.lookaheadBars = lookaheadBars
        options.totalBars = totalBars
        options.seed = 3
        let model = loaded.model, tokenizer = loaded.tokenizer
        let makeSession: @Sendable (UInt64) throws -> CompositionSession = { seed in
            let session = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: "generation_tiny", seed: seed)
            session.maximumTokensPerBar = 64  // random weights: bars end by force if not by themselves
            return session
        }
        terminal = FakeTerminal(width: width, height: height)
        player = PlaybackFactory.silentPlayer(reason: "test")
        app = ComposerApp(terminal: terminal, worker: GenerationWorker(session: try makeSession(options.seed)), player: player,
                          catalog: ThemeCatalog(directories: []), options: options, checkpointName: "generation_tiny",
                          signals: SignalFlag(), makeSession: makeSession)
    }

    /// Runs the loop until the script quits; fails the test with the script's reason if it gave up.
    @discardableResult
    func run(sourceLocation: SourceLocation = #_sourceLocation) -> ComposerApp.Ending {
        let ending = app.run()
        player.close()
        if let failure = terminal.failure { Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation) }
        #expect(terminal.scriptIsDone, "the loop ended before the script did", sourceLocation: sourceLocation)
        return ending
    }

    deinit { takes.remove() }
}

/// The take files in `folder`.
func takeFiles(in folder: TemporaryFolder) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: folder.url, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "mid" }
}

/// The suites that run the app loop, one test at a time: the launcher's tests install signal
/// handlers and clear the registered temporary files, which are the whole process's.
@Suite(.serialized) enum ComposerOnAFakeTerminal {}

extension ComposerOnAFakeTerminal {
    @Suite struct ComposerAppLoopTests {
        @Test func barsAppearOnTheScreenAsTheWorkerWritesThem() throws {
            // 60 bars: the tiny model writes 12 before the first frame is drawn.
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 60)
            var seen: [Int] = []
            rig.terminal.wait(for: "bar 1 on screen", { ($0.barsShown ?? 0) >= 1 }, then: { seen.append($0.barsShown!) })
            rig.terminal.wait(for: "60 bars", { $0.barsShown == 60 }, then: { seen.append($0.barsShown!) })
            rig.terminal.wait(for: "finished", { $0.shows("finished: s saves") })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(seen.count == 2 && seen[0] < 60 && seen[1] == 60, "bars on screen: \(seen)")
            // Bar numbers on the roll's top row, and the notes of the bars drawn under them.
            let roll = rig.terminal.screen.split(separator: "\n")
            #expect(roll.first?.hasPrefix(" bar ") == true)
            #expect(roll.dropFirst().contains { $0.contains("▀") || $0.contains("▄") || $0.contains("█") })
            // The app leaves the terminal to its caller (ComposerLauncher closes it).
            #expect(rig.terminal.closeCount == 0)
        }

        /// --bars below the worker's own default limit: the worker is told the limit before it
        /// writes a token (a fast model wrote 4 bars of `--bars 3` before the loop's first frame).
        @Test func aPieceShorterThanTheLookaheadNeverGrowsPastItsBars() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 1)
            var shown: [Int] = []
            rig.terminal.wait(for: "finished", { $0.shows("finished: s saves") }, then: { shown.append($0.barsShown ?? -1) })
            rig.terminal.watch(frames: 20, then: { shown.append($0.barsShown ?? -1) })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(shown == [1, 1], "bars on screen: \(shown)")
            #expect(rig.terminal.shows("bars 1 of 1"), "\(rig.terminal.screen)")
        }

        @Test func writingPausedWithWStopsTheBarsAndWGoesOn() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 40)
            var atPause = 0, afterWatching = 0
            rig.terminal.press(.character("w"), when: "a bar", { ($0.barsShown ?? 0) >= 1 })
            rig.terminal.wait(for: "writing paused", { $0.shows("writing paused") })
            rig.terminal.watch(frames: 5, then: { atPause = $0.barsShown ?? -1 })  // a step in flight may end a bar
            rig.terminal.watch(frames: 30, then: { afterWatching = $0.barsShown ?? -1 })
            rig.terminal.press(.character("w"))
            rig.terminal.wait(for: "40 bars after w", { $0.barsShown == 40 })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(atPause < 40)
            #expect(afterWatching == atPause, "bars went on from \(atPause) to \(afterWatching) with writing paused")
        }

        @Test func spacePausesTheMusicAndTheWritingAndSpaceGoesOn() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 40)
            var atPause = 0, afterWatching = 0
            var positions: [Double] = []
            rig.terminal.wait(for: "playing", { $0.shows("playing (no sound: test)") })
            rig.terminal.press(.character(" "), when: "a bar", { ($0.barsShown ?? 0) >= 1 })
            rig.terminal.wait(for: "paused", { $0.shows("paused: space goes on") && $0.shows("stopped (no sound: test)") })
            rig.terminal.watch(frames: 5, then: { atPause = $0.barsShown ?? -1; positions.append(rig.player.positionSeconds) })
            rig.terminal.watch(frames: 30, then: { afterWatching = $0.barsShown ?? -1; positions.append(rig.player.positionSeconds) })
            rig.terminal.press(.character(" "))
            rig.terminal.wait(for: "playing again", { $0.shows("playing and writing") && $0.shows("playing (no sound: test)") })
            rig.terminal.wait(for: "40 bars after space", { $0.barsShown == 40 })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(afterWatching == atPause, "bars went on from \(atPause) to \(afterWatching) with the music paused")
            #expect(rig.player.state != .paused)
            #expect(positions.count == 2 && positions[0] == positions[1], "the playhead moved while paused: \(positions)")
        }

        @Test func regeneratingABarAddsATakeAndUndoPutsTheFirstBack() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 6)
            var takesAfterRegenerate: (count: Int, selected: Int)?
            rig.terminal.wait(for: "6 bars", { $0.barsShown == 6 })
            rig.terminal.press(.home)
            rig.terminal.press(.character("r"))
            rig.terminal.wait(for: "the new take", { $0.shows("bar 1: take 2 of 2") }, then: { _ in
                takesAfterRegenerate = try? rig.app.worker.withSession { try $0.takes(ofBar: 0) }
            })
            rig.terminal.press(.character("u"))
            rig.terminal.wait(for: "the undo", { $0.shows("undid the take of bar 1") })
            rig.terminal.press(.character("s"))
            rig.terminal.wait(for: "saved", { $0.shows("saved ") })
            rig.terminal.press(.character("q"))
            #expect(rig.run() == .quit)
            #expect(takesAfterRegenerate?.count == 2 && takesAfterRegenerate?.selected == 1)
            let takes = try rig.app.worker.withSession { try $0.takes(ofBar: 0) }
            #expect(takes.count == 2 && takes.selected == 0)
        }

        @Test func savingWritesATakeThatReadsBackAndQuitThenNeedsNoQuestion() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 40)
            rig.terminal.press(.character("w"), when: "3 bars", { ($0.barsShown ?? 0) >= 3 })
            rig.terminal.wait(for: "writing paused", { $0.shows("writing paused") })
            rig.terminal.watch(frames: 5)
            rig.terminal.press(.character("s"))
            var barsSaved = 0
            rig.terminal.wait(for: "saved", { $0.shows("saved ") }, then: { barsSaved = $0.barsShown ?? 0 })
            rig.terminal.press(.character("q"))
            #expect(rig.run() == .quit)
            #expect(!rig.terminal.frames.contains { $0.text.contains("Quit anyway?") })
            let files = try takeFiles(in: rig.takes)
            #expect(files.count == 1)
            let file = try #require(files.first)
            #expect(file.lastPathComponent.hasPrefix("take-"))
            let midi = try MIDIFile(contentsOf: file)
            let score = PianoScore(midi: midi)
            #expect(!score.notes.isEmpty)
            // Every accepted bar, silent ones at the end too (the random model writes some):
            // the file lasts to the end of the last bar it holds.
            let accepted = rig.app.worker.withSession { $0.snapshot() }.bars.filter { !$0.isCandidate }
            let barsInFile = score.barStartTicks(untilTicks: midi.endTicks).count
            #expect(accepted.count >= barsSaved && accepted.count > 0)
            #expect(barsInFile >= accepted.count, "\(barsInFile) bars in the file, \(accepted.count) accepted")
        }

        @Test func quitAsksWhenUnsavedAndNoKeepsComposing() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 8)
            rig.terminal.wait(for: "8 bars", { $0.barsShown == 8 })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("n"), when: "the quit question", { $0.shows("The take is not saved. Quit anyway? (y/n)") })
            rig.terminal.wait(for: "cancelled", { $0.shows("cancelled") })
            rig.terminal.watch(frames: 5)
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question again", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(try takeFiles(in: rig.takes).isEmpty)
        }

        @Test func aNewPieceAsksWhenUnsavedThenStartsAgainWithTheNextSeed() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 8)
            var firstPiece: [[Int]] = []
            // The piece on screen (the app's last snapshot from the worker).
            let pitches = { rig.app.snapshot.bars.map { $0.notes.map(\.pitch) } }
            rig.terminal.wait(for: "8 bars", { $0.barsShown == 8 }, then: { _ in firstPiece = pitches() })
            rig.terminal.press(.character("n"))
            rig.terminal.press(.character("y"), when: "the new-piece question", { $0.shows("Start a new piece anyway? (y/n)") })
            rig.terminal.wait(for: "the new piece", { $0.shows("new piece, seed 4") && $0.shows("seed 4") })
            // The old piece stays on screen until the worker has started the new one.
            rig.terminal.wait(for: "8 bars of another piece", { $0.barsShown == 8 && $0.shows("finished") && pitches().count == 8 && pitches() != firstPiece })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            let secondPiece = pitches()
            #expect(secondPiece.count == 8 && firstPiece.count == 8)
            #expect(secondPiece != firstPiece, "the new seed wrote the same piece")
        }

        @Test func questionMarkShowsEveryKeyAndAnyKeyClosesIt() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 4, width: 120, height: 44)
            rig.terminal.wait(for: "4 bars", { $0.barsShown == 4 })
            rig.terminal.press(.character("?"))
            rig.terminal.wait(for: "the help", { t in KeyTable.bindings.allSatisfy { t.shows($0.help) } })
            rig.terminal.press(.character("x"))
            rig.terminal.wait(for: "the help closed", { !$0.shows(KeyTable.bindings[0].help) })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
        }

        @Test func aResizeRedrawsAtTheNewSize() throws {
            let rig = try ComposerRig(lookaheadBars: 100, totalBars: 8)
            rig.terminal.wait(for: "8 bars", { $0.barsShown == 8 })
            for (w, h) in [(60, 16), (140, 40), (12, 3), (1, 1), (0, 0), (80, 24)] {
                rig.terminal.resize(width: w, height: h)
                rig.terminal.wait(for: "a frame of \(w)x\(h)", { $0.lastFrame?.width == w && $0.lastFrame?.height == h })
            }
            rig.terminal.wait(for: "the status line at 80x24", { $0.barsShown == 8 })
            rig.terminal.press(.character("q"))
            rig.terminal.press(.character("y"), when: "the quit question", { $0.shows("Quit anyway? (y/n)") })
            #expect(rig.run() == .quit)
            #expect(rig.terminal.screen.split(separator: "\n").allSatisfy { $0.count == 80 })
        }
    }
}
