// The piano-roll view model, rendered into a CellGrid without a terminal: notes land in
// the right cells, bar lines and numbers, selection, scrolling, half-block packing.
import Testing
@testable import TUI

/// Bars of 4 beats; `notes[i]` are (pitch, onset beat within the bar, duration beats).
func makeRoll(_ notes: [[(Int, Double, Double)]], candidateLast: Bool = false) -> RollSnapshot {
    var bars: [RollBar] = []
    for (i, barNotes) in notes.enumerated() {
        let start = Double(i) * 4
        bars.append(RollBar(startBeats: start, lengthBeats: 4,
                            notes: barNotes.map { RollNote(pitch: $0.0, onsetBeats: start + $0.1, durationBeats: $0.2, velocity: 100) },
                            isCandidate: candidateLast && i == notes.count - 1))
    }
    return RollSnapshot(bars: bars)
}

func state(_ roll: RollSnapshot, selected: Int? = nil) -> ComposerState {
    var s = ComposerState()
    s.update(roll: roll)
    s.selectedBar = selected
    return s
}

@Suite struct PianoRollTests {
    @Test func notesLandInTheRightCells() throws {
        // C4 on beat 0 for one beat, E4 on beat 2 for half a beat, in bar 1 of 2.
        let s = state(makeRoll([[(60, 0, 1), (64, 2, 0.5)], [(67, 0, 4)]]))
        let grid = ScreenView.render(s, width: 80, height: 30)
        let layout = try #require(ScreenView.layout(s, width: 80, height: 30))
        #expect(layout.semitonesPerRow == 1)
        #expect(layout.columnsPerBeat == 4)
        let barLine = layout.barColumns[0].column
        #expect(barLine == RollLayout.keyboardWidth)
        let c4 = try #require(layout.row(forPitch: 60))
        let e4 = try #require(layout.row(forPitch: 64))
        #expect(e4 == c4 - 4)  // pitch runs up: four semitones higher is four rows up
        // C4: four columns (one beat at 4 per beat) right after the bar line.
        #expect(grid.line(c4).dropFirst(barLine + 1).prefix(5) == "████ ")
        // E4: two columns starting at beat 2 (column 8 of the bar).
        let e4Line = Array(grid.line(e4))
        #expect(e4Line[barLine + 1 + 8] == "█" && e4Line[barLine + 1 + 9] == "█" && e4Line[barLine + 1 + 10] == " ")
        #expect(e4Line[barLine + 1 + 7] == " ")
        // G4 holds the whole second bar: 16 columns after the second bar line.
        let g4Line = Array(grid.line(try #require(layout.row(forPitch: 67))))
        let bar2 = layout.barColumns[1].column
        #expect(bar2 == barLine + 17)
        #expect(g4Line[bar2] == "│" && g4Line[(bar2 + 1)...(bar2 + 16)].allSatisfy { $0 == "█" })
    }

    @Test func barLinesAndNumbers() throws {
        let s = state(makeRoll([[(60, 0, 1)], [(62, 0, 1)], [(64, 0, 1)]]))
        let grid = ScreenView.render(s, width: 80, height: 20)
        let layout = try #require(ScreenView.layout(s, width: 80, height: 20))
        #expect(layout.barColumns.map(\.column) == [5, 22, 39])
        for row in layout.top..<(layout.top + layout.rows) {
            for column in [5, 22, 39] where grid[row, column].character != "█" {
                #expect(grid[row, column].character == "│")
            }
        }
        let ruler = grid.line(0)
        #expect(Array(ruler)[5] == "1" && Array(ruler)[22] == "2" && Array(ruler)[39] == "3")
    }

    @Test func keyboardShowsCLabelsAndBlackKeys() throws {
        let s = state(makeRoll([[(60, 0, 1), (72, 0, 1)]]))
        let grid = ScreenView.render(s, width: 80, height: 30)
        let layout = try #require(ScreenView.layout(s, width: 80, height: 30))
        let c4 = try #require(layout.row(forPitch: 60))
        #expect(grid.line(c4).hasPrefix("C4"))
        #expect(grid.line(try #require(layout.row(forPitch: 72))).hasPrefix("C5"))
        #expect(grid[try #require(layout.row(forPitch: 61)), 3].style.role == .blackKey)  // C#4
        #expect(grid[try #require(layout.row(forPitch: 62)), 3].style.role == .whiteKey)  // D4
    }

    @Test func selectedBarIsHighlightedAndCandidateToldApart() throws {
        let s = state(makeRoll([[(60, 0, 1)], [(62, 0, 1)], [(64, 0, 1)]], candidateLast: true), selected: 1)
        let grid = ScreenView.render(s, width: 80, height: 20)
        let layout = try #require(ScreenView.layout(s, width: 80, height: 20))
        let row = layout.top + 1
        #expect(!grid[row, 10].style.selected)
        #expect(grid[row, 30].style.selected)           // inside bar 2
        #expect(grid[row, 30].style.role == .background)
        #expect(grid[row, 45].style.role == .candidateArea)   // bar 3 is the candidate
        let e4 = try #require(layout.row(forPitch: 64))
        guard case .candidateNote = grid[e4, 40].style.role else { Issue.record("candidate note style"); return }
        let d4 = try #require(layout.row(forPitch: 62))
        guard case .note = grid[d4, 23].style.role else { Issue.record("accepted note style"); return }
        #expect(grid[d4, 23].style.selected)
        #expect(grid.line(0).contains("3 new"))
    }

    @Test func followsTheEndAndScrollsToTheSelection() throws {
        // Twelve bars; 80 columns hold four bars of 17 columns.
        let roll = makeRoll((0..<12).map { [(60 + $0, 0, 1)] })
        let following = try #require(ScreenView.layout(state(roll), width: 80, height: 20))
        #expect(following.barColumns.map(\.bar) == [8, 9, 10, 11])
        var s = state(roll, selected: 2)
        s.viewFirstBar = 8
        let back = try #require(ScreenView.layout(s, width: 80, height: 20))
        #expect(back.firstBar == 2)
        // With a hint that already shows the selection, the view does not move.
        s.selectedBar = 6; s.viewFirstBar = 4
        #expect(try #require(ScreenView.layout(s, width: 80, height: 20)).firstBar == 4)
        // Selecting past the right edge scrolls just enough.
        s.selectedBar = 9
        #expect(try #require(ScreenView.layout(s, width: 80, height: 20)).firstBar == 6)
        let grid = ScreenView.render(s, width: 80, height: 20)
        #expect(grid.line(0).contains("10"))
        #expect(!grid.line(0).contains(" 5 "))
    }

    @Test func halfBlocksPackTwoSemitonesPerRowWhenShort() throws {
        // 50...78 with margins needs 33 semitones; a 20-row terminal has 17 roll rows.
        let s = state(makeRoll([[(50, 0, 1), (51, 1, 1), (52, 2, 1), (53, 2, 1), (78, 0, 1)]]))
        let layout = try #require(ScreenView.layout(s, width: 80, height: 20))
        #expect(layout.semitonesPerRow == 2)
        #expect(layout.lowPitch <= 50 && layout.highPitch >= 78)
        let grid = ScreenView.render(s, width: 80, height: 20)
        let col = layout.barColumns[0].column + 1
        // Each pitch shares its row with one neighbour; alone it is a half block.
        for (pitch, column) in [(50, col), (51, col + 4)] {
            let row = try #require(layout.row(forPitch: pitch))
            #expect(grid[row, column].character == (layout.isUpperHalf(pitch) ? "▀" : "▄"))
        }
        // 52 and 53 sound together: on one row they make a full block, else two halves.
        let r52 = try #require(layout.row(forPitch: 52)), r53 = try #require(layout.row(forPitch: 53))
        if r52 == r53 {
            #expect(grid[r52, col + 8].character == "█")
        } else {
            #expect(grid[r52, col + 8].character == "▀" && grid[r53, col + 8].character == "▄")
        }
        #expect(r52 - (try #require(layout.row(forPitch: 78))) >= 12)
        // One semitone per row when the range fits.
        let narrow = state(makeRoll([[(60, 0, 1), (67, 0, 1)]]))
        #expect(try #require(ScreenView.layout(narrow, width: 80, height: 20)).semitonesPerRow == 1)
        // Too wide even for half blocks: the window is clipped around the middle.
        let wide = state(makeRoll([[(21, 0, 1), (108, 0, 1)]]))
        let clipped = try #require(ScreenView.layout(wide, width: 80, height: 20))
        #expect(clipped.semitonesPerRow == 2 && clipped.row(forPitch: 64) != nil && clipped.row(forPitch: 21) == nil)
        let clippedGrid = ScreenView.render(wide, width: 80, height: 20)
        #expect(clippedGrid[clipped.top, 2].character == "▲")
        #expect(clippedGrid[clipped.top + clipped.rows - 1, 2].character == "▼")
    }

    @Test func tooSmallShowsAMessage() {
        let grid = ScreenView.render(state(makeRoll([[(60, 0, 1)]])), width: 20, height: 8)
        #expect(grid.text.contains("Terminal too small"))
        #expect(!grid.text.contains("█"))
    }

    @Test func statusLineShowsSettingsReadably() {
        var s = state(makeRoll([[(60, 0, 1)], [(62, 0, 1)]], candidateLast: true))
        s.seed = 3; s.checkpointName = "cadenza-piano"; s.style = "chopin"; s.tokensPerSecond = 212
        let grid = ScreenView.render(s, width: 120, height: 30)
        let status = grid.line(28)
        #expect(status.contains("cadenza-piano  temp 1.00  top-p 0.95  seed 3  style chopin  bars 1  212 tok/s"))
        #expect(grid.line(29).contains("no sound") && grid.line(29).contains("auto-accept on"))
    }

    @Test func helpOverlayListsEveryKey() {
        var s = state(makeRoll([[(60, 0, 1)]]))
        _ = s.handle(.character("?"))
        let text = ScreenView.render(s, width: 120, height: 40).text
        for binding in KeyTable.bindings { #expect(text.contains(binding.help)) }
        _ = s.handle(.character("x"))
        #expect(!ScreenView.render(s, width: 120, height: 40).text.contains("regenerate the selected bar"))
    }

    @Test func playheadIsDrawnOnEmptyCells() throws {
        var s = state(makeRoll([[(60, 0, 1)], [(62, 0, 1)]]))
        s.playheadBeats = 6   // bar 2, beat 2
        let layout = try #require(ScreenView.layout(s, width: 80, height: 20))
        let grid = ScreenView.render(s, width: 80, height: 20)
        let column = layout.barColumns[1].column + 1 + 8
        #expect(grid[layout.top, column].character == "┃")
        #expect(grid[0, column].character == "▼")
    }
}
