// Small signal helpers for the tests: mono mix, Goertzel magnitude at a frequency,
// spectral peak search, RMS. Independent of the synth code they check.
import Foundation

enum SignalAnalysis {
    /// Left+right average of interleaved stereo frames [from, to).
    /// Hann-windowed, ready for `magnitude` and `peakFrequency`.
    static func mono(_ interleaved: [Float], from: Int, to: Int) -> [Double] {
        hann((from..<to).map { Double(interleaved[2 * $0] + interleaved[2 * $0 + 1]) / 2 })
    }

    /// Magnitude of the DFT of `x` at `hz` (Goertzel).
    static func magnitude(_ x: [Double], hz: Double, sampleRate: Double) -> Double {
        let w = 2 * Double.pi * hz / sampleRate
        let coeff = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        let n = x.count
        x.withUnsafeBufferPointer { x in
            for i in 0..<n {
                let s0 = x[i] + coeff * s1 - s2
                s2 = s1; s1 = s0
            }
        }
        return (s1 * s1 + s2 * s2 - coeff * s1 * s2).squareRoot() / Double(n)
    }

    /// `x` multiplied by a Hann window (apply once before many `magnitude` calls).
    static func hann(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        return x.enumerated().map { $0.element * (0.5 - 0.5 * cos(2 * Double.pi * Double($0.offset) / n)) }
    }

    /// The frequency of the strongest component in [lowHz, highHz]: a coarse scan, then a fine one.
    static func peakFrequency(_ x: [Double], sampleRate: Double, lowHz: Double, highHz: Double) -> Double {
        var best = lowHz, bestMagnitude = -1.0
        var hz = lowHz
        while hz <= highHz {
            let m = magnitude(x, hz: hz, sampleRate: sampleRate)
            if m > bestMagnitude { bestMagnitude = m; best = hz }
            hz += 4
        }
        var fine = best - 4
        var refined = best
        bestMagnitude = -1
        while fine <= best + 4 {
            let m = magnitude(x, hz: fine, sampleRate: sampleRate)
            if m > bestMagnitude { bestMagnitude = m; refined = fine }
            fine += 0.25
        }
        return refined
    }

    static func rms(_ interleaved: [Float], from: Int, to: Int) -> Double {
        guard to > from else { return 0 }
        var sum = 0.0
        for k in (2 * from)..<(2 * to) { sum += Double(interleaved[k]) * Double(interleaved[k]) }
        return (sum / Double(2 * (to - from))).squareRoot()
    }

    static func peak(_ interleaved: [Float]) -> Float {
        interleaved.reduce(0) { max($0, abs($1)) }
    }
}
