// Keys to commands to state changes and effects, without a terminal.
import Foundation
import MIDI
import Testing
import TestSupport
import Tokenization
@testable import TUI

@Suite struct ComposerStateTests {
    @Test func plusTwiceRaisesTemperatureByATenth() {
        var s = ComposerState()
        #expect(s.handle(.character("+")) == [.settingsChanged])
        _ = s.handle(.character("+"))
        #expect(s.temperature == 1.10)
        for _ in 0..<100 { _ = s.handle(.character("-")) }
        #expect(s.temperature == 0)
        _ = s.handle(.character("]"))
        #expect(s.topP == 1.0)
        _ = s.handle(.character("["))
        #expect(s.topP == 0.95)
    }

    @Test func keyKeysWalkTheCircleOfFifthsSwitchModeAndFreeTheKey() {
        var s = ComposerState()
        #expect(s.handle(.character("K")) == [.keyChanged(MusicalKey(tonic: 0, isMinor: false), free: false)])  // nothing written yet: C major
        _ = s.handle(.character("K"))
        #expect(s.key == MusicalKey(tonic: 7, isMinor: false) && s.message == "next bars in G major")
        #expect(s.handle(.character("M")) == [.keyChanged(MusicalKey(tonic: 4, isMinor: true), free: false)])  // relative minor
        _ = s.handle(.character("M"))
        #expect(s.key == MusicalKey(tonic: 7, isMinor: false))
        #expect(StatusLine.settingsFields(s).contains("key G major"))
        #expect(s.handle(.character("F")) == [.keyChanged(nil, free: true)])
        #expect(s.key == nil && StatusLine.settingsFields(s).contains("key free"))
        // With no key chosen, K and M start from the key the music is in.
        var t = ComposerState()
        t.musicKey = MusicalKey(tonic: 2, isMinor: true)  // D minor
        #expect(t.handle(.character("K")) == [.keyChanged(MusicalKey(tonic: 9, isMinor: true), free: false)])
        var u = ComposerState()
        u.musicKey = MusicalKey(tonic: 2, isMinor: true)
        #expect(u.handle(.character("M")) == [.keyChanged(MusicalKey(tonic: 5, isMinor: false), free: false)])
        // A model without KEY tokens: the keys say why and change nothing.
        s.keysAvailable = false
        #expect(s.handle(.character("K")) == [])
        #expect(s.key == nil && s.message.contains("no KEY tokens"))
    }

    @Test func barSelectionAndTakes() {
        var s = state(makeRoll([[(60, 0, 1)], [(62, 0, 1)], [(64, 0, 1)]]))
        #expect(s.targetBar == 2)
        _ = s.handle(.left)
        _ = s.handle(.left)
        #expect(s.selectedBar == 1)
        #expect(s.handle(.character("r")) == [.regenerate(bar: 1)])
        var roll = s.roll
        roll.bars[1].takeCount = 3
        roll.bars[1].takeIndex = 2
        s.update(roll: roll)
        #expect(s.handle(.down) == [.selectTake(bar: 1, take: 0)])
        #expect(s.handle(.up) == [.selectTake(bar: 1, take: 1)])
        _ = s.handle(.right)
        _ = s.handle(.right)
        #expect(s.selectedBar == nil)
    }

    @Test func quitAsksWhenUnsaved() {
        var s = ComposerState()
        #expect(s.handle(.character("q")) == [.quit])
        s.unsaved = true
        #expect(s.handle(.character("q")) == [])
        #expect(s.question == .quit)
        #expect(s.handle(.character("n")) == [])   // "no" cancels, it is not "new piece"
        #expect(s.question == nil)
        _ = s.handle(.character("q"))
        #expect(s.handle(.character("y")) == [.quit])
    }

    @Test func spacePausesTheMusicWAndBackspacePauseOnlyTheWriting() {
        var s = ComposerState()
        s.roll = RollSnapshot(bars: [RollBar(startBeats: 0, lengthBeats: 4, notes: [], isCandidate: false, takeIndex: 0, takeCount: 1)])
        #expect(s.handle(.character(" ")) == [.pauseMusic])
        #expect(s.musicPaused && s.writingPaused && StatusLine.settingsFields(s).contains("paused"))
        #expect(s.handle(.character(" ")) == [.resumeMusic])
        #expect(!s.writingPaused)
        #expect(s.handle(.character("w")) == [.writingPaused(true)])
        #expect(s.paused && !s.musicPaused && StatusLine.settingsFields(s).contains("writing paused"))
        #expect(s.handle(.character("w")) == [.writingPaused(false)])
        // a: the effect says which way auto-accept went.
        #expect(s.handle(.character("a")) == [.autoAcceptChanged(false)])
        #expect(!s.autoAccept)
        #expect(s.handle(.character("a")) == [.autoAcceptChanged(true)])
        // A rewind pauses the writing, so the dropped bar is not written again at once.
        #expect(s.handle(.backspace) == [.rewind])
        #expect(s.writingPaused && s.message.contains("writing paused"))
        // p plays, and lifts a pause of the music.
        _ = s.handle(.character(" "))
        #expect(s.handle(.character("p")) == [.play(fromBar: nil)])
        #expect(!s.musicPaused)
    }

    @Test func tempoKeysScaleThePaceAndTheSavedScore() {
        var s = ComposerState()
        #expect(s.handle(.character(">")) == [.tempoChanged(from: 1.0)])
        _ = s.handle(.character(">"))
        #expect(s.tempoScale == 1.10 && StatusLine.settingsFields(s).contains("tempo x1.10"))
        for _ in 0..<100 { _ = s.handle(.character("<")) }
        #expect(s.tempoScale == 0.25)
        #expect(s.handle(.character("<")) == [])
        // Twice as fast: tempo events halve, the implicit 120 BPM start included.
        let score = PianoScore(notes: [ScoreNote(pitch: 60, velocity: 64, onsetTicks: 960, durationTicks: 480)],
                               tempoChanges: [TempoChange(ticks: 480, microsecondsPerQuarter: 1_000_000)])
        let fast = SessionBridge.timeScaled(score, tempoScale: 2)
        #expect(fast.tempoChanges == [TempoChange(ticks: 0, microsecondsPerQuarter: 250_000),
                                      TempoChange(ticks: 480, microsecondsPerQuarter: 500_000)])
        #expect(abs(fast.tempoMap.seconds(atTicks: 960) - score.tempoMap.seconds(atTicks: 960) / 2) < 1e-9)
    }

    @Test func lLoopsTheSelectedBarAndLExtendsTheLoop() {
        var s = ComposerState()
        s.roll = RollSnapshot(bars: (0..<6).map { RollBar(startBeats: Double($0 * 4)) })
        for key: Key in [.character("g"), .character("2"), .enter] { _ = s.handle(key) }
        #expect(s.handle(.character("l")) == [.loopChanged])
        #expect(s.loop == 1...1 && StatusLine.settingsFields(s).contains("loop 2"))
        _ = s.handle(.right); _ = s.handle(.right)
        #expect(s.handle(.character("L")) == [.loopChanged])
        #expect(s.loop == 1...3 && StatusLine.settingsFields(s).contains("loop 2-4"))
        // A rewind that drops a looped bar ends the loop.
        s.update(roll: RollSnapshot(bars: (0..<3).map { RollBar(startBeats: Double($0 * 4)) }))
        #expect(s.loop == nil)
        #expect(s.handle(.character("l")) == [.loopChanged] && s.loop == 2...2)
        #expect(s.handle(.character("l")) == [.loopChanged] && s.loop == nil)
    }

    @Test func homeEndAndGoToBarMoveTheSelection() {
        var s = ComposerState()
        s.roll = RollSnapshot(bars: (0..<40).map { RollBar(startBeats: Double($0 * 4)) })
        _ = s.handle(.home)
        #expect(s.selectedBar == 0)
        _ = s.handle(.end)
        #expect(s.selectedBar == nil && s.message == "following the music")
        _ = s.handle(.left)
        _ = s.handle(.escape)
        #expect(s.selectedBar == nil)
        for key: Key in [.character("g"), .character("3"), .character("4"), .backspace, .character("3"), .enter] { _ = s.handle(key) }
        #expect(s.selectedBar == 32 && s.message == "bar 33")
        for key: Key in [.character("g"), .character("9"), .character("9"), .enter] { _ = s.handle(key) }
        #expect(s.selectedBar == 32 && s.message == "no bar 99: bars 1...40")
        // Any other key cancels the number, and is not taken as a command.
        for key: Key in [.character("g"), .character("2"), .character("q")] { _ = s.handle(key) }
        #expect(s.selectedBar == 32 && s.question == nil && s.message == "cancelled")
    }

    @Test func theHelpShowsEveryKeyOnAnEightyByTwentyFourTerminal() {
        var s = ComposerState()
        s.helpVisible = true
        for (width, height) in [(80, 24), (120, 40), (60, 16)] {
            let grid = ScreenView.render(s, width: width, height: height)
            let text = (0..<height).map { grid.line($0) }.joined(separator: "\n")
            for binding in KeyTable.bindings {
                let label = String(binding.label.prefix(8))
                #expect(text.contains(label), "\(width)x\(height): key \(binding.label) not shown")
            }
            #expect(text.contains("?  ") && text.contains("q  "), "\(width)x\(height)")
        }
    }

    @Test func everyCommandHasAKeyAndNoKeyIsBoundTwice() {
        var seen: Set<Key> = []
        for binding in KeyTable.bindings {
            for key in binding.keys {
                #expect(!seen.contains(key), "key bound twice: \(key)")
                seen.insert(key)
            }
        }
        for c in Command.allCases { #expect(KeyTable.bindings.contains { $0.command == c }, "no key for \(c)") }
    }
}

@Suite struct KeyListTests {
    /// The README's key list is the key table's own Markdown (`cadenza compose --keys`).
    @Test func readmeListsEveryKeyFromTheTable() throws {
        let readme = Fixtures.repository.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        #expect(text.contains(KeyTable.markdown()))
    }
}
