// The whole screen, cell by cell (characters; styles are checked by the other tests), for
// a fixed composer state: the title, keyboard, bar lines and numbers, notes, the selected
// bar, a candidate bar and the status line, against a committed golden text. A change to
// the layout shows as a diff of this file; CADENZA_UPDATE_GOLDEN=1 rewrites it.
import Foundation
import Testing
import TestSupport
import Tokenization
@testable import TUI

@Suite struct ScreenGoldenTests {
    static let golden = Fixtures.repository.appendingPathComponent("Tests/TUITests/Golden/piano-roll-72x20.txt")

    static func composerState() -> ComposerState {
        // Two accepted bars and a candidate: a C major arpeggio, a held chord, a run.
        var s = state(makeRoll([
            [(60, 0, 1), (64, 1, 1), (67, 2, 1), (72, 3, 1)],
            [(48, 0, 4), (55, 0, 4), (64, 0, 2), (62, 2, 2)],
            [(72, 0, 0.5), (71, 0.5, 0.5), (69, 1, 0.5), (67, 1.5, 0.5), (65, 2, 1), (64, 3, 1)],
        ], candidateLast: true), selected: 1)
        s.checkpointName = "cadenza-piano"
        s.seed = 7
        s.temperature = 0.9
        s.topP = 0.95
        s.key = try? MusicalKey.parse("C major")
        s.playbackDescription = "no sound (--no-audio)"
        s.tokensPerSecond = 0
        return s
    }

    @Test func theWholeScreenMatchesTheGolden() throws {
        let grid = ScreenView.render(Self.composerState(), width: 72, height: 20)
        let screen = (0..<grid.height).map { grid.line($0) }.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["CADENZA_UPDATE_GOLDEN"] == "1" {
            try screen.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        let actualLines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(actualLines.count == expectedLines.count)
        for (i, (a, e)) in zip(actualLines, expectedLines).enumerated() where a != e {
            Issue.record("row \(i) differs:\n  got      |\(a)|\n  expected |\(e)|")
        }
    }
}
