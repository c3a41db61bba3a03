// Key-finding for scores without key signatures: a key per bar from the pitch classes
// sounding in and around it. Each bar's duration-weighted pitch-class histogram (with
// half weight for its neighbours) is correlated with the Krumhansl-Kessler profiles of
// the 24 keys; a Viterbi pass then picks the sequence of keys with the best total
// correlation minus a penalty per change, so a key changes only when the music stays in
// the new one for a while (a modulation), not for one chromatic bar.
import MIDI

public enum KeyFinding {
    /// Krumhansl & Kessler's probe-tone ratings (1982), tonic first.
    static let majorProfile: [Double] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
    static let minorProfile: [Double] = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]
    /// Cost of a key change in units of correlation: with 1.5, 3, 6 and 10, key-finding named
    /// the key signature of piano-midi.de's scores in 56, 61, 63 and 66% of bars
    /// (`cadenza tokenize --report`): signatures change rarely, so a high cost wins.
    static let changePenalty = 10.0

    /// One key per bar (`barStarts` in ticks, ascending); C major for a score without notes.
    /// `signatures`, when given, holds each bar's key signature (sharps) or nil: such a bar
    /// may only be in the signature's major key or its relative minor (the mode flag of
    /// MIDI files is unreliable: all 287 piano-midi.de scores say major).
    public static func keys(of score: PianoScore, barStarts: [Int], signatures: [Int?]? = nil) -> [MusicalKey] {
        guard !barStarts.isEmpty else { return [] }
        var histograms = [[Double]](repeating: [Double](repeating: 0, count: 12), count: barStarts.count)
        for note in score.notes {
            // The bar of the onset (binary search); duration capped at four quarters so a held bass does not dominate.
            var lo = 0, hi = barStarts.count - 1
            while lo < hi { let mid = (lo + hi + 1) / 2; if barStarts[mid] <= note.onsetTicks { lo = mid } else { hi = mid - 1 } }
            let weight = Double(min(note.durationTicks, 4 * score.ticksPerQuarter)) / Double(max(1, score.ticksPerQuarter))
            histograms[lo][((note.pitch % 12) + 12) % 12] += max(0.05, weight)
        }
        let evidence = histograms.indices.map { b -> [Double] in
            var h = histograms[b]
            for n in [b - 1, b + 1] where n >= 0 && n < histograms.count {
                for k in 0..<12 { h[k] += 0.5 * histograms[n][k] }
            }
            let signature = signatures.flatMap { b < $0.count ? $0[b] : nil }
            return MusicalKey.all.map { key in
                if let signature, key.sharps != signature && !(abs(signature) == 6 && key.sharps == -signature) { return -.infinity }
                return correlation(h, profileOf: key)
            }
        }
        return viterbi(evidence)
    }

    /// Pearson correlation of a histogram with a key's profile; 0 for an empty histogram.
    static func correlation(_ histogram: [Double], profileOf key: MusicalKey) -> Double {
        let profile = key.isMinor ? minorProfile : majorProfile
        let total = histogram.reduce(0, +)
        guard total > 0 else { return 0 }
        let x = (0..<12).map { histogram[($0 + key.tonic) % 12] }
        let mx = total / 12, my = profile.reduce(0, +) / 12
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for k in 0..<12 {
            sxy += (x[k] - mx) * (profile[k] - my); sxx += (x[k] - mx) * (x[k] - mx); syy += (profile[k] - my) * (profile[k] - my)
        }
        return sxx > 0 ? sxy / (sxx * syy).squareRoot() : 0
    }

    /// The key sequence maximising total evidence minus `changePenalty` per change.
    static func viterbi(_ evidence: [[Double]]) -> [MusicalKey] {
        let n = MusicalKey.all.count
        var score = evidence[0]
        var back = [[Int]](repeating: [Int](repeating: 0, count: n), count: evidence.count)
        for b in 1..<max(1, evidence.count) {
            let best = score.indices.max { score[$0] < score[$1] }!
            var next = [Double](repeating: 0, count: n)
            for k in 0..<n {
                let stay = score[k], move = score[best] - changePenalty
                if stay >= move { next[k] = stay; back[b][k] = k } else { next[k] = move; back[b][k] = best }
                next[k] += evidence[b][k]
            }
            score = next
        }
        var k = score.indices.max { score[$0] < score[$1] }!
        var path = [Int](repeating: 0, count: evidence.count)
        for b in stride(from: evidence.count - 1, through: 0, by: -1) { path[b] = k; k = back[b][k] }
        return path.map { MusicalKey.all[$0] }
    }
}
