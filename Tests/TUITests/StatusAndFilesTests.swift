// Status-line fitting, take file names, and a note ending on a bar line.
import Foundation
import Testing
@testable import TUI

@Suite struct StatusAndFilesTests {
    @Test func longPlaybackReasonsAreCutAndTheMessageStays() {
        var s = ComposerState()
        s.playbackDescription = "no sound: ALSA sequencer unavailable: no /dev/snd/seq (this kernel has no ALSA sequencer; load snd-seq)"
        s.message = "saved takes/take-20261124-101500.mid"
        let grid = ScreenView.render(s, width: 100, height: 20)
        let last = grid.line(19)
        #expect(last.contains("stopped (no sound: ALSA sequencer"))
        #expect(last.contains("..."))
        // A wide terminal shows the whole reason.
        let wide = ScreenView.render(s, width: 200, height: 20).line(19)
        #expect(wide.contains("load snd-seq)") && wide.contains("auto-accept on") && wide.contains("take-20261124-101500.mid"))
        #expect(last.contains("auto-accept on"))
        #expect(last.contains("saved takes/take-20261124-101500.mid"))
        // On a narrow terminal the message still wins.
        #expect(ScreenView.render(s, width: 50, height: 12).line(11).contains("take-20261124-101500.mid"))
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        var grid = CellGrid(width: 10, height: 1)
        grid.write("a\nb\tc", row: 0, column: 0)
        #expect(grid.line(0) == "a b c     ")
    }

    @Test func takeNamesFollowTheClockAndNeverOverwrite() {
        let date = Date(timeIntervalSince1970: 1_795_514_100)   // 2026-11-24 09:55:00 UTC
        let utc = TimeZone(identifier: "UTC")!
        #expect(TakeFiles.stamp(date, timeZone: utc) == "20261124-095500")
        let taken: Set<String> = ["t/take-\(TakeFiles.stamp(date)).mid", "t/take-\(TakeFiles.stamp(date))-2.wav"]
        let path = TakeFiles.freshPath(directory: "t", prefix: "take", date: date, exists: { taken.contains($0) })
        #expect(path == "t/take-\(TakeFiles.stamp(date))-3.mid")
    }

    @Test func aNoteEndingOnABarLineLeavesTheLine() throws {
        // A whole-bar note in bar 1 and one crossing into bar 2.
        let s = state(makeRoll([[(60, 0, 4), (64, 2, 4)], [(67, 0, 1)]]))
        let layout = try #require(ScreenView.layout(s, width: 80, height: 20))
        let grid = ScreenView.render(s, width: 80, height: 20)
        let line = layout.barColumns[1].column
        #expect(grid[try #require(layout.row(forPitch: 60)), line].character == "│")
        #expect(grid[try #require(layout.row(forPitch: 60)), line - 1].character == "█")
        #expect(grid[try #require(layout.row(forPitch: 64)), line].character == "█")
        #expect(grid[try #require(layout.row(forPitch: 64)), line + 8].character == "█")
        #expect(grid[try #require(layout.row(forPitch: 64)), line + 9].character == " ")
    }
}
