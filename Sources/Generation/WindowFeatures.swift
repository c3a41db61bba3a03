// The measures of one window, as music_eval.py computes them. Onsets are the notes' starts
// rounded to 1 ms; look-ups over the window's notes are binary searches over sorted starts
// and ends, so a window of many notes costs n log n, not n squared.
import Foundation

/// What every window of a piece shares: the file's beat grid and tempo map.
struct WindowContext {
    var beats: [Double]
    var tempoTimes: [Double]
    var tempi: [Double]
}

extension WindowMeasures {
    /// `notes` are the window's notes sorted by start; `barLines` its window + 1 bar lines.
    init(notes: [PrettyMIDIView.Note], barLines: [Double], context: WindowContext) {
        self.init()
        let pitches = notes.map(\.pitch)
        let starts = notes.map(\.start)
        let sortedEnds = notes.map(\.end).sorted()
        (key, inKey) = WindowKey.best(for: pitches)
        var onsets: [Double] = []
        for s in starts { let t = NumPy.round(s, decimals: 3); if onsets.last != t { onsets.append(t) } }

        // Sounding at an onset: started by it (0.1 ms slack) and not yet ended. A note that
        // has ended has started before, so it is counted in the first term too.
        polyphony = NumPy.mean(onsets.map { t in
            Double(NumPy.searchSortedRight(starts, t + 1e-4) - NumPy.searchSortedRight(sortedEnds, t))
        })

        // Top voice: the highest pitch struck within 1 ms of each onset.
        let skyline = onsets.map { t -> Int in
            let from = Self.firstIndex(starts) { $0 - t > -1e-3 }, to = Self.firstIndex(starts) { $0 - t >= 1e-3 }
            return pitches[from..<to].max() ?? 0
        }
        let steps = skyline.count > 1 ? zip(skyline, skyline.dropFirst()).map { abs($1 - $0) } : [0]
        stepShare = NumPy.mean(steps.map { $0 <= 2 ? 1.0 : 0.0 })

        // Eighth-note grid through the beat grid; past the last beat counts as on the grid
        // (numpy's nan_to_num turns the NaN there into beat 0).
        let beats = context.beats
        onEighthGrid = NumPy.mean(onsets.map { t -> Double in
            let index = beats.count > 1 ? NumPy.fractionalIndex(t, in: beats) : t * 2
            let eighths = (index.isNaN ? 0 : index) * 2.0
            return abs(eighths - eighths.rounded(.toNearestOrEven)) < 0.05 ? 1 : 0
        })

        // Bars whose onsets, in 48ths of the bar, repeat another bar of the window exactly.
        let window = barLines.count - 1
        let patterns = (0..<window).map { b -> [Int] in
            let b0 = barLines[b], b1 = barLines[b + 1]
            return onsets.filter { $0 >= b0 && $0 < b1 }.map { Int(((($0 - b0) / max(1e-6, b1 - b0)) * 48).rounded(.toNearestOrEven)) }
        }
        let repeated = patterns.filter { p in !p.isEmpty && patterns.filter { $0 == p }.count > 1 }.count
        barRhythmRepeats = Double(repeated) / Double(window)

        let tempoAtOnsets = onsets.map { t in
            log2(max(1.0, context.tempi[max(0, NumPy.searchSortedRight(context.tempoTimes, t) - 1)]))
        }
        tempoSpread = NumPy.std(tempoAtOnsets)

        notesPerSecond = Double(notes.count) / max(1e-3, barLines[window] - barLines[0])
        pitchRange = Double((pitches.max() ?? 0) - (pitches.min() ?? 0))
        velocitySD = NumPy.std(notes.map { Double($0.velocity) })
        meanPitch = NumPy.mean(pitches.map(Double.init))
    }

    /// The first index whose element satisfies `isAbove`, which must be monotonic over `xs`.
    private static func firstIndex(_ xs: [Double], where isAbove: (Double) -> Bool) -> Int {
        var lo = 0, hi = xs.count
        while lo < hi { let mid = (lo + hi) / 2; if isAbove(xs[mid]) { hi = mid } else { lo = mid + 1 } }
        return lo
    }
}
