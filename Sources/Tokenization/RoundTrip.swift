// The round-trip measure: which notes of an original score survive encode -> decode.
// A note is kept when the decoded score has a note of the same pitch whose onset is
// within half a grid step (in seconds, at the decoded tempo around it) of the original's.
// Matching is greedy per pitch in onset order, each decoded note used once.
import MIDI

public struct RoundTripResult: Hashable, Sendable {
    public var originalNotes = 0
    public var keptNotes = 0
    /// Sum of |onset error| in seconds over kept notes.
    public var onsetErrorSeconds = 0.0
    /// Sum over notes of |onset seconds in the file - onset seconds in the score the tokens
    /// spell| (non-zero with one tempo per bar: the rubato the tokens drop).
    public var rubatoSeconds = 0.0
    public var statistics = EncodingStatistics()
    public var tokens = 0
    /// Key-finding against the files' own key signatures (files that have them): bars
    /// compared, bars with the same key, bars with the same signature (mode aside).
    public var keyBars = 0, keyBarsSameKey = 0, keyBarsSameSignature = 0

    public init() {}

    public var keptFraction: Double { originalNotes == 0 ? 1 : Double(keptNotes) / Double(originalNotes) }
    public var meanOnsetErrorSeconds: Double { keptNotes == 0 ? 0 : onsetErrorSeconds / Double(keptNotes) }
    public var meanRubatoSeconds: Double { originalNotes == 0 ? 0 : rubatoSeconds / Double(originalNotes) }

    public static func + (a: RoundTripResult, b: RoundTripResult) -> RoundTripResult {
        var r = a
        r.originalNotes += b.originalNotes
        r.keptNotes += b.keptNotes
        r.onsetErrorSeconds += b.onsetErrorSeconds
        r.rubatoSeconds += b.rubatoSeconds
        r.tokens += b.tokens
        r.statistics.notes += b.statistics.notes
        r.statistics.movedNotes += b.statistics.movedNotes
        r.statistics.cappedNotes += b.statistics.cappedNotes
        r.statistics.mergedNotes += b.statistics.mergedNotes
        r.statistics.tempoTokens += b.statistics.tempoTokens
        r.statistics.bars += b.statistics.bars
        r.keyBars += b.keyBars
        r.keyBarsSameKey += b.keyBarsSameKey
        r.keyBarsSameSignature += b.keyBarsSameSignature
        return r
    }
}

extension Tokenizer {
    /// Encodes, decodes and compares with the original.
    public func roundTrip(_ score: PianoScore, style: String? = nil) throws -> RoundTripResult {
        let (ids, stats) = encodeWithStatistics(score, style: style)
        let decoded = try decode(ids)
        // Against the score the tokens spell: with one tempo per bar, rubato inside a bar
        // is not a lost note (`rubatoSeconds` says how much timing the re-timing moved).
        var result = compare(original: referenceScore(score), decoded: decoded)
        result.rubatoSeconds = Self.onsetShiftSeconds(score, referenceScore(score))
        result.statistics = stats
        result.tokens = ids.count
        if let agreement = Self.keyFindingAgreement(score) {
            result.keyBars = agreement.bars
            result.keyBarsSameKey = agreement.sameKey
            result.keyBarsSameSignature = agreement.sameSignature
        }
        return result
    }

    /// Sum of |onset seconds in `a` - in `b`| over notes (the same notes, in other timings).
    static func onsetShiftSeconds(_ a: PianoScore, _ b: PianoScore) -> Double {
        let mapA = a.tempoMap, mapB = b.tempoMap
        let ticksA = a.notes.map(\.onsetTicks).sorted(), ticksB = b.notes.map(\.onsetTicks).sorted()
        guard ticksA.count == ticksB.count else { return 0 }
        return zip(ticksA, ticksB).reduce(0) { $0 + abs(mapA.seconds(atTicks: $1.0) - mapB.seconds(atTicks: $1.1)) }
    }

    /// Matches notes of `decoded` to those of `original` (see the file comment).
    public func compare(original: PianoScore, decoded: PianoScore) -> RoundTripResult {
        var result = RoundTripResult()
        result.originalNotes = original.notes.count
        let originalMap = original.tempoMap
        let decodedMap = decoded.tempoMap
        let ticksPerStep = max(1, decoded.ticksPerQuarter / max(1, configuration.stepsPerQuarter))
        var originalByPitch = [[Double]](repeating: [], count: 128)
        var decodedByPitch = [[(seconds: Double, tolerance: Double)]](repeating: [], count: 128)
        for n in original.notes where (0...127).contains(n.pitch) {
            originalByPitch[n.pitch].append(originalMap.seconds(atTicks: n.onsetTicks))
        }
        for n in decoded.notes where (0...127).contains(n.pitch) {
            let t = n.onsetTicks
            let at = decodedMap.seconds(atTicks: t)
            let before = at - decodedMap.seconds(atTicks: t - ticksPerStep)
            let after = decodedMap.seconds(atTicks: t + ticksPerStep) - at
            decodedByPitch[n.pitch].append((at, 0.5 * max(before, after) + 1e-6))
        }
        for pitch in 0..<128 {
            let o = originalByPitch[pitch].sorted()
            let d = decodedByPitch[pitch].sorted { $0.seconds < $1.seconds }
            var i = 0, j = 0
            while i < o.count && j < d.count {
                let error = d[j].seconds - o[i]
                if error < -d[j].tolerance { j += 1 }
                else if error > d[j].tolerance { i += 1 }
                else { result.keptNotes += 1; result.onsetErrorSeconds += abs(error); i += 1; j += 1 }
            }
        }
        return result
    }
}
