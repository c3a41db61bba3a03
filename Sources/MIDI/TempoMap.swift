// Ticks to seconds (and back) across tempo changes. Built once, then each lookup is
// a binary search over precomputed segment starts. Does not know about SMPTE
// division: a file with SMPTE timing has a fixed tick length (see `init(secondsPerTick:)`).

public struct TempoMap: Sendable {
    /// Segment starts: ticks, seconds at that tick, seconds per tick inside the segment.
    private var startTicks: [Int] = []
    private var startSeconds: [Double] = []
    private var secondsPerTick: [Double] = []

    public init(ticksPerQuarter: Int, changes: [TempoChange]) {
        let tpq = Double(max(1, ticksPerQuarter))
        var tick = 0
        var seconds = 0.0
        var perTick = 0.5 / tpq  // 120 BPM until the first change
        startTicks.append(0); startSeconds.append(0); secondsPerTick.append(perTick)
        for change in changes.sorted(by: { $0.ticks < $1.ticks }) {
            let at = max(0, change.ticks)
            seconds += Double(at - tick) * perTick
            tick = at
            perTick = Double(max(1, change.microsecondsPerQuarter)) / 1_000_000.0 / tpq
            if startTicks.last == tick {
                secondsPerTick[secondsPerTick.count - 1] = perTick
            } else {
                startTicks.append(tick); startSeconds.append(seconds); secondsPerTick.append(perTick)
            }
        }
    }

    /// A constant tick length, for SMPTE-timed files.
    public init(secondsPerTick: Double) {
        startTicks = [0]; startSeconds = [0]; self.secondsPerTick = [secondsPerTick]
    }

    public func seconds(atTicks ticks: Int) -> Double {
        let i = segment(containingTicks: ticks)
        return startSeconds[i] + Double(ticks - startTicks[i]) * secondsPerTick[i]
    }

    public func ticks(atSeconds seconds: Double) -> Double {
        var lo = 0, hi = startSeconds.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if startSeconds[mid] <= seconds { lo = mid } else { hi = mid - 1 }
        }
        return Double(startTicks[lo]) + (seconds - startSeconds[lo]) / secondsPerTick[lo]
    }

    private func segment(containingTicks ticks: Int) -> Int {
        var lo = 0, hi = startTicks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if startTicks[mid] <= ticks { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}
