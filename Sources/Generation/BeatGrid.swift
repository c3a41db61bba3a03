// pretty_midi's get_beats and get_downbeats, step for step (quirks included, so that bar lines
// fall where music_eval.py puts them), plus the numpy look-ups the window measures use.
// Beats stop at a cap so that no file can make the grid allocate without bound.

extension PrettyMIDIView {
    /// More beats than this (about six days at 120 BPM) and the file is skipped.
    static let maximumBeats = 1 << 20

    /// Beat times from 0 up to the end of the file: a beat is the time signature's
    /// denominator note (a dotted one in compound meters); tempo changes inside a beat
    /// split it, and every time-signature change starts a beat.
    func beats() -> [Double]? {
        let ts = stableSorted(timeSignatures, by: { $0.time < $1.time })
        var beats = [0.0]
        var tempoIndex = 0
        var tsIndex = 0
        while tsIndex < ts.count - 1 && beats[beats.count - 1] >= ts[tsIndex + 1].time { tsIndex += 1 }
        func bpm() -> Double {
            guard !ts.isEmpty else { return tempi[tempoIndex] }
            return Self.quarterToBeatTempo(tempi[tempoIndex], ts[tsIndex].numerator, ts[tsIndex].denominator)
        }
        while beats[beats.count - 1] < endTime {
            guard beats.count <= Self.maximumBeats else { return nil }
            let last = beats[beats.count - 1]
            var tempo = bpm()
            var next = last + 60.0 / tempo
            if tempoIndex < tempoTimes.count - 1 && next > tempoTimes[tempoIndex + 1] {
                next = last
                var remaining = 1.0
                while tempoIndex < tempoTimes.count - 1 && next + remaining * 60.0 / tempo >= tempoTimes[tempoIndex + 1] {
                    let overshot = (tempoTimes[tempoIndex + 1] - next) / (60.0 / tempo)
                    next += overshot * 60.0 / tempo
                    remaining -= overshot
                    tempoIndex += 1
                    tempo = bpm()
                }
                next += remaining * 60.0 / tempo
            }
            if !ts.isEmpty && tsIndex == 0 && ts[0].time > last && Self.greaterOrClose(next, ts[0].time) {
                next = ts[0].time
            }
            if tsIndex < ts.count - 1 && Self.greaterOrClose(next, ts[tsIndex + 1].time) {
                next = ts[tsIndex + 1].time
                tsIndex += 1
            }
            beats.append(next)
        }
        beats.removeLast()  // the last one passed the end
        return beats
    }

    /// Every numerator-th beat (every numerator/3-th in compound meters) from each time
    /// signature on; 4/4 from 0 when the first signature comes later or there is none.
    func downbeats(beats: [Double]) -> [Double] {
        var ts = stableSorted(timeSignatures, by: { $0.time < $1.time })
        if ts.first.map({ $0.time > 0 }) ?? true { ts.insert(TimeSignature(time: 0, numerator: 4, denominator: 4), at: 0) }
        func step(_ n: Int) -> Int { n % 3 == 0 && n != 3 ? n / 3 : n }
        var out: [Double] = []
        var endIndex = 0
        for (from, to) in zip(ts, ts.dropFirst()) {
            let startIndex = Self.firstClose(beats, to: from.time) ?? 0
            endIndex = Self.firstClose(beats, to: to.time) ?? startIndex
            out += stride(from: startIndex, to: endIndex, by: step(from.numerator)).map { beats[$0] }
            guard out.count <= 2 * Self.maximumBeats else { return [] }
        }
        let last = ts[ts.count - 1]
        let startIndex = Self.firstClose(beats, to: last.time) ?? endIndex
        out += stride(from: startIndex, to: beats.count, by: step(last.numerator)).map { beats[$0] }
        return out
    }

    /// pretty_midi's qpm_to_bpm.
    static func quarterToBeatTempo(_ qpm: Double, _ numerator: Int, _ denominator: Int) -> Double {
        guard [1, 2, 4, 8, 16, 32].contains(denominator) else { return qpm }
        if numerator == 3 { return qpm * Double(denominator) / 4.0 }
        if numerator % 3 == 0 { return qpm / 3.0 * Double(denominator) / 4.0 }
        return qpm * Double(denominator) / 4.0
    }

    /// numpy's isclose(a, b) with its default tolerances.
    static func isClose(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-8 + 1e-5 * abs(b) }
    static func greaterOrClose(_ a: Double, _ b: Double) -> Bool { a > b || isClose(a, b) }

    /// The first beat close to `value` (beats never decrease, so a binary search finds it).
    static func firstClose(_ beats: [Double], to value: Double) -> Int? {
        let tolerance = 1e-8 + 1e-5 * abs(value)
        var lo = 0, hi = beats.count
        while lo < hi { let mid = (lo + hi) / 2; if beats[mid] - value < -tolerance { lo = mid + 1 } else { hi = mid } }
        return lo < beats.count && isClose(beats[lo], value) ? lo : nil
    }
}

enum NumPy {
    /// searchsorted(array, value, side="right"): numpy's bisection, which gives the same
    /// answer as numpy even on an array that is not sorted.
    static func searchSortedRight(_ array: [Double], _ value: Double) -> Int {
        var lo = 0, hi = array.count
        while lo < hi { let mid = lo + (hi - lo) >> 1; if value < array[mid] { hi = mid } else { lo = mid + 1 } }
        return lo
    }

    /// interp(x, xp, arange(len(xp)), right=nan) for sorted `xp`: the fractional index of x.
    static func fractionalIndex(_ x: Double, in xp: [Double]) -> Double {
        if x > xp[xp.count - 1] { return .nan }
        if x < xp[0] { return 0 }
        let j = searchSortedRight(xp, x) - 1  // xp[j] <= x < xp[j + 1]
        if j == xp.count - 1 || xp[j] == x { return Double(j) }
        return 1.0 / (xp[j + 1] - xp[j]) * (x - xp[j]) + Double(j)
    }

    /// round(x, decimals) as numpy does it: scale, round half to even, scale back.
    static func round(_ x: Double, decimals: Int) -> Double {
        let scale = [1.0, 10.0, 100.0, 1000.0][decimals]
        return (x * scale).rounded(.toNearestOrEven) / scale
    }

    static func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }

    /// Population standard deviation (numpy's default ddof=0).
    static func std(_ xs: [Double]) -> Double {
        let m = mean(xs)
        return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)).squareRoot()
    }
}
