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
        let wavs: Set<String> = ["t/take-\(TakeFiles.stamp(date))-2.wav"]
        let names = Array(TakeFiles.candidatePaths(directory: "t", prefix: "take", date: date, wavExists: { wavs.contains($0) }).prefix(3))
        #expect(names == ["t/take-\(TakeFiles.stamp(date)).mid", "t/take-\(TakeFiles.stamp(date))-3.mid", "t/take-\(TakeFiles.stamp(date))-4.mid"])
    }

    @Test func writersClaimingTheSameStampGetDifferentIntactFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("takes-\(UUID().uuidString)").path
        try TakeFiles.ensureDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let date = Date(timeIntervalSince1970: 1_795_514_100)
        let stamp = TakeFiles.stamp(date)
        // Two writers at once, many times over: every take keeps its own file and bytes.
        let contents = (0..<16).map { i in [UInt8](repeating: UInt8(i), count: 50_000 + i) }
        let paths = LockedPaths()
        DispatchQueue.concurrentPerform(iterations: contents.count) { i in
            do { paths.add(try TakeFiles.write(contents[i], directory: dir, prefix: "take", date: date), i) } catch {
                Issue.record("write failed: \(error)")
            }
        }
        let written = paths.all
        #expect(written.count == contents.count)
        #expect(Set(written.map(\.path)).count == contents.count)
        for (path, i) in written { #expect(FileManager.default.contents(atPath: path) == Data(contents[i]), "\(path)") }
        let expected = Set(["\(dir)/take-\(stamp).mid"] + (2...contents.count).map { "\(dir)/take-\(stamp)-\($0).mid" })
        #expect(Set(written.map(\.path)) == expected)
        // Recovery files use the same claim, and no temporary file is left behind.
        let recovered = try TakeFiles.write([1, 2, 3], directory: dir, prefix: "recovered", date: date)
        #expect(recovered == "\(dir)/recovered-\(stamp).mid")
        #expect(try TakeFiles.write([4], directory: dir, prefix: "recovered", date: date) == "\(dir)/recovered-\(stamp)-2.mid")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }.isEmpty)
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

private final class LockedPaths: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [(path: String, index: Int)] = []
    func add(_ path: String, _ index: Int) { lock.lock(); paths.append((path, index)); lock.unlock() }
    var all: [(path: String, index: Int)] { lock.lock(); defer { lock.unlock() }; return paths }
}
