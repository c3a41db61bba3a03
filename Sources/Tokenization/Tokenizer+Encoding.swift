// Score -> ids. The encoder simulates the decoder's timeline: each note's grid step is
// found by rounding its onset *in decoded seconds*, so every onset lands within half a
// grid step of the original. Tempo tokens are chosen by error feedback: at each bar
// start and onset position the encoder checks how far the decoded timeline will be from
// the score's own bar grid at the next onset, and emits a new TEMPO only when that drift
// would exceed `tempoTolerance` steps. Bars follow the score's time signatures; bars the
// vocabulary cannot spell (too long, odd meters) are split into supported parts.
import Foundation
import MIDI

extension Tokenizer {
    /// One bar as the tokens spell it, with the stretch of the score it covers.
    struct EncodingBar {
        var originalStartTicks: Double
        var originalLengthTicks: Double
        var steps: Int
        var timeSignatureIndex: Int
        var decodedStartStep: Int

        /// A bar like this one right after it (for notes beyond the score's last bar).
        var following: EncodingBar {
            EncodingBar(originalStartTicks: originalStartTicks + originalLengthTicks, originalLengthTicks: originalLengthTicks,
                        steps: steps, timeSignatureIndex: timeSignatureIndex, decodedStartStep: decodedStartStep + steps)
        }
    }

    public func encodeWithStatistics(_ input: PianoScore, style: String? = nil)
        -> (ids: [Int], statistics: EncodingStatistics)
    {
        let v = vocabulary
        var ids: [Int] = [v.bosID]
        if let style, let id = v.id(.style(style)) { ids.append(id) }
        guard !input.notes.isEmpty else { ids.append(v.eosID); return (ids, EncodingStatistics()) }

        // 1. Constant-tempo files get a tick scale that puts their tempo exactly on a bin;
        //    with `tempoPerBar` the score is re-timed to one binned tempo per bar.
        let score = referenceScore(input)
        let stepsPerTick = Double(configuration.stepsPerQuarter) / Double(score.ticksPerQuarter)
        // 2. Notes: into the piano range, in onset order.
        var stats = EncodingStatistics()
        let notes = pianoRangeNotes(score.notes, statistics: &stats)
        // 3. Bars, and each bar's key.
        var bars = encodingBars(score, stepsPerTick: stepsPerTick)
        let barKeys = configuration.keyTokens ? Self.keys(of: score, atBarStarts: bars.map { Int($0.originalStartTicks.rounded()) }) : []
        // 4. The decoded timeline, bar by bar.
        var timeline = TimelineEncoder(tokenizer: self, notes: notes, tempoMap: score.tempoMap, bars: bars,
                                       stepsPerTick: stepsPerTick, ids: ids, statistics: stats)
        var b = 0
        while b < bars.count || timeline.next < notes.count {
            if b == bars.count, let last = bars.last { bars.append(last.following) }  // notes beyond the score's bars
            let key = barKeys.last.map { b < barKeys.count ? barKeys[b] : $0 }
            timeline.encode(bar: bars[b], key: key)
            b += 1
        }
        timeline.ids.append(v.eosID)
        return (timeline.ids, timeline.statistics)
    }

    /// The notes moved by octaves into the piano range (counted in `movedNotes`), sorted by
    /// onset and pitch.
    func pianoRangeNotes(_ input: [ScoreNote], statistics stats: inout EncodingStatistics) -> [ScoreNote] {
        let c = configuration
        var notes = input
        for i in notes.indices {
            var p = notes[i].pitch
            while p < c.lowestPitch { p += 12 }
            while p > c.highestPitch { p -= 12 }
            if p != notes[i].pitch { stats.movedNotes += 1; notes[i].pitch = p }
        }
        notes.sort { ($0.onsetTicks, $0.pitch) < ($1.onsetTicks, $1.pitch) }
        stats.notes = notes.count
        return notes
    }

    /// The encoder's walk along the decoded timeline: where the decoder will be (step,
    /// seconds, tempo), which note comes next, and the tokens written so far. One bar at a
    /// time (`encode(bar:key:)`); tempo tokens come from `decideTempo`, written by `emitTempo`.
    struct TimelineEncoder {
        let c: TokenizerConfiguration
        let v: Vocabulary
        let tokenizer: Tokenizer
        let notes: [ScoreNote]
        let onsetSeconds: [Double]
        /// Each note's ideal step on the tokens' bar grid.
        let ideal: [Double]
        let secondsPerStep: [Double]
        let tempoMap: TempoMap
        let stepsPerTick: Double

        var ids: [Int]
        var statistics: EncodingStatistics
        var tempo: Int? = nil
        var timeSignature = -1
        var barStartSeconds = 0.0
        /// The first note not yet written.
        var next = 0
        /// The highest pitch written at the current POS (the grammar wants rising pitches).
        var onsetTopPitch = -1
        /// A tempo change planned for a later step of the bar (a POS with TEMPO and no notes).
        var pendingSplit: (step: Int, bin: Int)? = nil

        init(tokenizer: Tokenizer, notes: [ScoreNote], tempoMap: TempoMap, bars: [EncodingBar], stepsPerTick: Double,
             ids: [Int], statistics: EncodingStatistics) {
            self.tokenizer = tokenizer
            c = tokenizer.configuration
            v = tokenizer.vocabulary
            self.notes = notes
            self.tempoMap = tempoMap
            self.stepsPerTick = stepsPerTick
            onsetSeconds = notes.map { tempoMap.seconds(atTicks: $0.onsetTicks) }
            ideal = notes.map { tokenizer.idealStep(Double($0.onsetTicks), bars: bars, stepsPerTick: stepsPerTick) }
            let c = tokenizer.configuration
            secondsPerStep = c.temposBPM.map { Double(Tokenizer.microsecondsPerQuarter(bpm: $0)) / 1e6 / Double(c.stepsPerQuarter) }
            self.ids = ids
            self.statistics = statistics
        }

        /// BAR, its TS when it changes, its KEY, then its onsets.
        mutating func encode(bar: EncodingBar, key: MusicalKey?) {
            guard bar.steps > 0 else { return }
            ids.append(v.barID)
            statistics.bars += 1
            if bar.timeSignatureIndex != timeSignature {
                timeSignature = bar.timeSignatureIndex
                ids.append(v.timeSignatureStart + timeSignature)
            }
            if let key, let id = v.keyID(key) { ids.append(id) }
            let start = bar.decodedStartStep
            var p = start
            var seconds = barStartSeconds
            if let bin = decideTempo(at: p, seconds: seconds, from: next, bar: bar) { emitTempo(bin) }
            var wrotePosition = false
            while next < notes.count {
                if flushSplit(before: onsetSeconds[next], p: &p, seconds: &seconds, barStart: start) { wrotePosition = true }
                guard let t = tempo else { break }
                let q = max(p, step(of: next, from: p, seconds: seconds, tempo: t))
                if q >= start + bar.steps { break }
                var end = notesOnStep(q, from: next + 1, p: p, seconds: seconds, tempo: t)
                if q > p {
                    seconds += Double(q - p) * secondsPerStep[t]
                    p = q
                    emitPosition(q, barStart: start)
                    if let bin = decideTempo(at: p, seconds: seconds, from: end, bar: bar) { emitTempo(bin) }
                } else if !wrotePosition {
                    emitPosition(q, barStart: start)
                }
                wrotePosition = true
                // A new tempo at this POS can round more notes onto it: they join this onset
                // (one group, pitches rising) instead of forming a second group on the same step.
                if let t = tempo { end = notesOnStep(q, from: end, p: p, seconds: seconds, tempo: t) }
                appendNotes(notes[next..<end])
                next = end
            }
            if let split = pendingSplit, split.step < start + bar.steps {
                flushSplit(before: nil, p: &p, seconds: &seconds, barStart: start)
            }
            pendingSplit = nil
            barStartSeconds = seconds + Double(start + bar.steps - p) * secondsPerStep[tempo ?? 0]
        }

        /// The step note `i` rounds to when the timeline is at step `p`, `seconds`, in bin `t`.
        func step(of i: Int, from p: Int, seconds: Double, tempo t: Int) -> Int {
            Int((Double(p) + (onsetSeconds[i] - seconds) / secondsPerStep[t]).rounded())
        }

        /// The end of the run of notes from `first` that round to step `q` or before.
        func notesOnStep(_ q: Int, from first: Int, p: Int, seconds: Double, tempo t: Int) -> Int {
            var end = first
            while end < notes.count && step(of: end, from: p, seconds: seconds, tempo: t) <= q { end += 1 }
            return end
        }

        mutating func emitTempo(_ bin: Int) {
            tempo = bin
            ids.append(v.tempoStart + bin)
            statistics.tempoTokens += 1
        }

        mutating func emitPosition(_ step: Int, barStart: Int) {
            ids.append(v.positionStart + (step - barStart))
            onsetTopPitch = -1
        }

        /// Chooses the tempo from step `p` (at `seconds`) on; returns the bin to emit, if any,
        /// and may plan a second bin from a later step (`pendingSplit`) when no single bin
        /// reaches the anchor within the tolerance. The anchor is the next onset, or the
        /// bar's end when the next onset is in a later bar (so bar lines stay where the
        /// score has them, rests included).
        mutating func decideTempo(at p: Int, seconds: Double, from first: Int, bar: EncodingBar) -> Int? {
            pendingSplit = nil
            var k = first
            while k < notes.count && ideal[k] < Double(p) + 0.5 { k += 1 }
            guard k < notes.count else {
                if tempo == nil {
                    return tokenizer.nearestBin(secondsPerStep, target: tokenizer.localSecondsPerStep(tempoMap, atSeconds: seconds, stepsPerTick: stepsPerTick))
                }
                return nil
            }
            var anchorStep = ideal[k], anchorSeconds = onsetSeconds[k]
            let barEnd = bar.decodedStartStep + bar.steps
            if anchorStep > Double(barEnd) + 0.5 && barEnd > p {
                anchorStep = Double(barEnd)
                anchorSeconds = tempoMap.seconds(atTicks: Int((bar.originalStartTicks + bar.originalLengthTicks).rounded()))
            }
            let gap = anchorStep - Double(p)
            if let t = tempo {
                let drift = abs(seconds + gap * secondsPerStep[t] - anchorSeconds) / secondsPerStep[t]
                if drift <= c.tempoTolerance { return nil }
            }
            let needed = (anchorSeconds - seconds) / gap
            let bin = needed > 0 ? tokenizer.nearestBin(secondsPerStep, target: needed) : secondsPerStep.count - 1
            // Split the gap between this bin and its neighbour on the other side of `needed`.
            let other = secondsPerStep[bin] > needed ? bin + 1 : bin - 1
            if needed > 0 && other >= 0 && other < secondsPerStep.count
                && abs(seconds + gap * secondsPerStep[bin] - anchorSeconds) / secondsPerStep[bin] > c.tempoTolerance {
                let a = (anchorSeconds - seconds - gap * secondsPerStep[other]) / (secondsPerStep[bin] - secondsPerStep[other])
                let m = p + Int(a.rounded())
                if m > p && Double(m) < anchorStep - 0.5 { pendingSplit = (m, other) }
            }
            return bin == tempo ? nil : bin
        }

        /// Writes the planned tempo change (POS, TEMPO) if the timeline has reached it.
        @discardableResult
        mutating func flushSplit(before onsetSeconds: Double?, p: inout Int, seconds: inout Double, barStart: Int) -> Bool {
            guard let split = pendingSplit, let t = tempo else { return false }
            let splitSeconds = seconds + Double(split.step - p) * secondsPerStep[t]
            if let onset = onsetSeconds, onset < splitSeconds { return false }
            pendingSplit = nil
            seconds = splitSeconds
            p = split.step
            emitPosition(split.step, barStart: barStart)
            emitTempo(split.bin)
            return true
        }

        /// VEL PITCH DUR for each note of one onset, low to high; one note per pitch. Notes
        /// at or below the highest pitch already written at this onset are merged away (a
        /// rare second group on one step after a tempo change).
        mutating func appendNotes(_ group: ArraySlice<ScoreNote>) {
            var sorted = Array(group)
            sorted.sort { ($0.pitch, -$0.durationTicks) < ($1.pitch, -$1.durationTicks) }
            for n in sorted {
                if n.pitch <= onsetTopPitch { statistics.mergedNotes += 1; continue }
                onsetTopPitch = n.pitch
                ids.append(v.velocityStart + Tokenizer.nearestIndex(c.velocities, Double(n.velocity)))
                ids.append(v.pitchStart + (n.pitch - c.lowestPitch))
                let steps = Double(n.durationTicks) * stepsPerTick
                if steps > Double(c.durationSteps[c.durationSteps.count - 1]) + 0.5 { statistics.cappedNotes += 1 }
                ids.append(v.durationStart + Tokenizer.nearestRatioIndex(c.durationSteps, max(1, steps)))
            }
        }
    }

    // MARK: Bars

    /// The score's bars as the vocabulary can spell them.
    func encodingBars(_ score: PianoScore, stepsPerTick: Double) -> [EncodingBar] {
        // Bars up to the last onset: a note sounding on past it makes no empty bar.
        let lastOnset = score.notes.reduce(0) { max($0, $1.onsetTicks) }
        // Each bar carries its signature: one pass, linear in bars and changes.
        let scoreBars = score.bars().filter { $0.startTicks <= lastOnset }
        var bars: [EncodingBar] = []
        var decoded = 0
        for (i, bar) in scoreBars.enumerated() {
            let startTicks = bar.startTicks, signature = bar.signature
            let lengthTicks = i + 1 < scoreBars.count ? scoreBars[i + 1].startTicks - startTicks
                : signature.barTicks(ticksPerQuarter: score.ticksPerQuarter)
            let lengthSteps = Double(lengthTicks) * stepsPerTick
            let parts = spell(steps: Int(lengthSteps.rounded()), numerator: signature.numerator, denominator: signature.denominator)
            let total = parts.reduce(0) { $0 + $1.steps }
            var done = 0
            for part in parts {
                let fraction = total > 0 ? Double(done) / Double(total) : 0
                let share = total > 0 ? Double(part.steps) / Double(total) : 1
                bars.append(EncodingBar(originalStartTicks: Double(startTicks) + fraction * Double(lengthTicks),
                                        originalLengthTicks: share * Double(lengthTicks), steps: part.steps,
                                        timeSignatureIndex: part.index, decodedStartStep: decoded))
                decoded += part.steps
                done += part.steps
            }
            if parts.isEmpty {  // a sliver shorter than half a step: no tokens, no time
                bars.append(EncodingBar(originalStartTicks: Double(startTicks), originalLengthTicks: Double(lengthTicks),
                                        steps: 0, timeSignatureIndex: 0, decodedStartStep: decoded))
            }
        }
        return bars
    }

    /// Supported time signatures (index, steps) that together last `steps`: the score's
    /// own signature when it is supported, else an equal-length one, else halves.
    func spell(steps: Int, numerator: Int, denominator: Int) -> [(index: Int, steps: Int)] {
        guard steps > 0 else { return [] }
        let c = configuration
        let s = c.stepsPerQuarter
        func index(_ n: Int, _ d: Int) -> Int? { c.timeSignatures.firstIndex(of: [n, d]) }
        if c.barSteps(numerator: numerator, denominator: denominator) == steps, let i = index(numerator, denominator) {
            return [(i, steps)]
        }
        for d in [denominator, 4, 8, 16, 2] where d > 0 && (steps * d) % (4 * s) == 0 {
            if let i = index(steps * d / (4 * s), d) { return [(i, steps)] }
        }
        let unit = max(1, s / 4)  // a sixteenth
        if steps <= unit, let i = index(1, 16) ?? index(1, 8) ?? index(1, 4) {
            return [(i, c.barSteps(numerator: c.timeSignatures[i][0], denominator: c.timeSignatures[i][1]))]
        }
        if steps % unit != 0 {
            return spell(steps: max(unit, Int((Double(steps) / Double(unit)).rounded()) * unit),
                         numerator: numerator, denominator: denominator)
        }
        let half = max(unit, (steps / 2 / unit) * unit)
        return spell(steps: half, numerator: numerator, denominator: denominator * 2)
            + spell(steps: steps - half, numerator: numerator, denominator: denominator * 2)
    }

    /// Where a score tick should land on the tokens' grid (linear inside each bar).
    func idealStep(_ ticks: Double, bars: [EncodingBar], stepsPerTick: Double) -> Double {
        var lo = 0, hi = bars.count - 1
        guard hi >= 0 else { return ticks * stepsPerTick }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if bars[mid].originalStartTicks <= ticks { lo = mid } else { hi = mid - 1 }
        }
        let bar = bars[lo]
        let offset = ticks - bar.originalStartTicks
        if lo == bars.count - 1 && offset >= bar.originalLengthTicks {
            return Double(bar.decodedStartStep + bar.steps) + (offset - bar.originalLengthTicks) * stepsPerTick
        }
        let scale = bar.originalLengthTicks > 0 ? Double(bar.steps) / bar.originalLengthTicks : 0
        return Double(bar.decodedStartStep) + offset * scale
    }

    // MARK: Tempo

    /// A score whose constant tempo lies outside the bins' comfortable range (e.g. a
    /// performance file at 400 BPM) gets rescaled ticks, seconds unchanged: its beat is
    /// halved or doubled into the range and snapped to a bin, so no tempo tokens are
    /// needed. Every other score is returned unchanged (rescaling would move its bars).
    func normalizedTempo(_ score: PianoScore) -> PianoScore {
        let c = configuration
        var values = Set(score.tempoChanges.map(\.microsecondsPerQuarter))
        if score.tempoChanges.first.map({ $0.ticks > 0 }) ?? true { values.insert(500_000) }
        guard values.count == 1, let microseconds = values.first, microseconds > 0 else { return score }
        var bpm = 60_000_000.0 / Double(microseconds)
        let low = Double(c.temposBPM[0]), high = Double(c.temposBPM[c.temposBPM.count - 1])
        guard bpm > high * 0.75 || bpm < low * 1.5 else { return score }
        while bpm > high * 0.75 && bpm / 2 >= low { bpm /= 2 }
        while bpm < low * 1.5 && bpm * 2 <= high { bpm *= 2 }
        let bin = c.temposBPM[Self.nearestRatioIndex(c.temposBPM, bpm)]
        let binMicroseconds = Self.microsecondsPerQuarter(bpm: bin)
        let precision = 16
        let factor = Double(precision) * Double(microseconds) / Double(binMicroseconds)
        func scale(_ t: Int) -> Int { Int((Double(t) * factor).rounded()) }
        var out = score
        out.ticksPerQuarter = score.ticksPerQuarter * precision
        out.tempoChanges = [TempoChange(ticks: 0, microsecondsPerQuarter: binMicroseconds)]
        out.notes = score.notes.map {
            let on = scale($0.onsetTicks)
            return ScoreNote(pitch: $0.pitch, velocity: $0.velocity, onsetTicks: on, durationTicks: max(1, scale($0.endTicks) - on))
        }
        out.timeSignatures = score.timeSignatures.map { TimeSignatureChange(ticks: scale($0.ticks), numerator: $0.numerator, denominator: $0.denominator) }
        out.keySignatures = score.keySignatures.map { KeySignatureChange(ticks: scale($0.ticks), sharps: $0.sharps, isMinor: $0.isMinor) }
        out.lengthTicks = scale(score.lengthTicks)
        return out
    }

    /// The score's own seconds per grid step around a moment.
    func localSecondsPerStep(_ map: TempoMap, atSeconds seconds: Double, stepsPerTick: Double) -> Double {
        let tick = Int(map.ticks(atSeconds: seconds).rounded(.down))
        return (map.seconds(atTicks: tick + 1) - map.seconds(atTicks: tick)) / stepsPerTick
    }

    static func microsecondsPerQuarter(bpm: Int) -> Int { Int((60_000_000.0 / Double(max(1, bpm))).rounded()) }

    /// Index of the bin (seconds per step, descending with the bin index) nearest in ratio.
    func nearestBin(_ secondsPerStep: [Double], target: Double) -> Int {
        var best = 0
        var bestDistance = Double.infinity
        for (i, sps) in secondsPerStep.enumerated() {
            let d = abs(log(sps / target))
            if d < bestDistance { bestDistance = d; best = i }
        }
        return best
    }

    static func nearestIndex(_ values: [Int], _ x: Double) -> Int {
        var best = 0
        for i in values.indices where abs(Double(values[i]) - x) < abs(Double(values[best]) - x) { best = i }
        return best
    }

    static func nearestRatioIndex(_ values: [Int], _ x: Double) -> Int {
        var best = 0
        for i in values.indices where abs(log(Double(values[i]) / x)) < abs(log(Double(values[best]) / x)) { best = i }
        return best
    }
}
