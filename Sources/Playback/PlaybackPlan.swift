// What `cadenza play FILE` plays: the bars from a starting bar, the stretch of time
// (from that bar, to the end of the music plus a release tail, or at most S seconds),
// and the progress line. Pure; the command does the waiting and printing.
import Foundation
import MIDI

public struct PlaybackPlan: Sendable {
    public let bars: [PlaybackBar]
    /// Index into `bars` of the first bar played (bar numbers shown to people are index + 1).
    public let firstBarIndex: Int
    public let fromSeconds: Double
    public let untilSeconds: Double

    /// - Parameters:
    ///   - fromBar: 1-based bar number to start at.
    ///   - maxSeconds: play at most this many seconds of music.
    ///   - tailSeconds: time after the last note-off for the release to ring.
    public init(score: PianoScore, fromBar: Int = 1, maxSeconds: Double? = nil, tailSeconds: Double = 0.5) throws {
        let bars = score.playbackBars()
        guard bars.contains(where: { !$0.notes.isEmpty }) else { throw PlaybackError.nothingToPlay }
        guard fromBar >= 1 && fromBar <= bars.count else { throw PlaybackError.barOutOfRange(bar: fromBar, barCount: bars.count) }
        if let maxSeconds, !(maxSeconds > 0 && maxSeconds.isFinite) { throw PlaybackError.invalidDuration(maxSeconds) }
        self.bars = bars
        firstBarIndex = fromBar - 1
        fromSeconds = bars[fromBar - 1].startSeconds
        let musicEnd = bars[(fromBar - 1)...].flatMap(\.notes).map(\.endSeconds).max() ?? fromSeconds
        var until = max(fromSeconds, musicEnd) + tailSeconds
        if let maxSeconds { until = min(until, fromSeconds + maxSeconds) }
        untilSeconds = until
    }

    /// The bars to hand to `Player.schedule(bar:notes:)`.
    public var barsToPlay: ArraySlice<PlaybackBar> { bars[firstBarIndex...] }

    /// 1-based number of the bar at `seconds`.
    public func barNumber(atSeconds seconds: Double) -> Int {
        var number = firstBarIndex + 1
        for bar in bars[firstBarIndex...] where bar.startSeconds <= seconds + 1e-9 { number = bar.index + 1 }
        return number
    }

    /// "bar 3/16  0:05.2 / 0:32.0".
    public func progressLine(positionSeconds: Double) -> String {
        "bar \(barNumber(atSeconds: positionSeconds))/\(bars.count)  "
            + Self.clock(positionSeconds) + " / " + Self.clock(untilSeconds)
    }

    static func clock(_ seconds: Double) -> String {
        let tenths = Int((max(0, seconds) * 10).rounded(.down))
        return String(format: "%d:%02d.%d", tenths / 600, (tenths / 10) % 60, tenths % 10)
    }
}
