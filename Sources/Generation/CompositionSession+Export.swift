// What a session hands out: snapshots for drawing (cached per version) and the accepted
// music as a PianoScore, both through the tokenizer's one decoder, and MIDI with provenance in a
// text meta event (checkpoint, seed, settings, and each bar's take number).
import MIDI
import Tokenization

extension CompositionSession {
    /// A Sendable picture of the piece: bars with tokens, probabilities, takes and decoded
    /// notes (ticks at 480 per quarter and seconds). Cheap to call again while nothing changed.
    public func snapshot() -> SessionSnapshot {
        if let cachedSnapshot, cachedSnapshot.version == version { return cachedSnapshot }
        let all = tokens(includeCandidate: true)
        let timeline = tokenizer.timelineOfLegalPrefix(all)  // the decoder MIDI export uses too
        let tempoMap = timeline.tempoMap
        var out: [BarSnapshot] = []
        for (i, placed) in timeline.bars.enumerated() {
            let isCandidate = i >= bars.count
            let take: Take
            var takeCount = 1, selected = 0, isPrimer = false, isPlayed = false
            if isCandidate {
                guard let candidate else { break }
                take = candidate.take
            } else {
                take = bars[i].takes[bars[i].selectedTake]
                takeCount = bars[i].takes.count
                selected = bars[i].selectedTake
                isPrimer = bars[i].isPrimer
                isPlayed = take.origin == .played
            }
            let notes = placed.notes.map { n -> SessionNote in
                let offset = n.pitchTokenIndex - placed.tokenIndex
                let onsetSeconds = tempoMap.seconds(atTicks: n.onsetTicks)
                return SessionNote(pitch: n.pitch, velocity: n.velocity, onsetTicks: n.onsetTicks, durationTicks: n.durationTicks,
                                   onsetSeconds: onsetSeconds,
                                   durationSeconds: tempoMap.seconds(atTicks: n.onsetTicks + n.durationTicks) - onsetSeconds,
                                   probability: offset >= 0 && offset < take.probabilities.count ? take.probabilities[offset] : 1)
            }.sorted { ($0.onsetTicks, $0.pitch) < ($1.onsetTicks, $1.pitch) }
            out.append(BarSnapshot(index: i, tokens: take.tokens, probabilities: take.probabilities, takeCount: takeCount,
                                   selectedTake: selected, isPrimer: isPrimer, isCandidate: isCandidate,
                                   isComplete: isCandidate ? candidate?.isComplete ?? false : true,
                                   startTicks: placed.startTicks, lengthTicks: placed.lengthTicks,
                                   startSeconds: tempoMap.seconds(atTicks: placed.startTicks), isPlayed: isPlayed, notes: notes))
        }
        let snapshot = SessionSnapshot(bars: out, settings: settings, regenerationCandidates: regenerationCandidates,
                                       seed: seed, ticksPerQuarter: DecodedTimeline.ticksPerQuarter, version: version,
                                       hasKeyTokens: tokenizer.vocabulary.hasKeys,
                                       currentKey: end.grammar.keyID.flatMap { tokenizer.vocabulary.key(ofID: $0) })
        cachedSnapshot = snapshot
        return snapshot
    }

    /// The accepted bars (and the candidate when asked) decoded by the tokenizer.
    public func takeAsScore(includeCandidate: Bool = false) throws -> PianoScore {
        let ids = tokens(includeCandidate: includeCandidate)
        do {
            return try tokenizer.decode(ids)
        } catch {
            throw GenerationError.undecodable(bar: max(0, bars.count - 1), reason: "\(error)")
        }
    }

    /// One line saying how to reproduce the take: checkpoint, seed, settings, K, the prefix,
    /// and each bar's selected take ("p" for primer bars, "c" for the candidate).
    public func provenance(includeCandidate: Bool = false) -> String {
        var takes = bars.map { $0.isPrimer && $0.selectedTake == 0 ? ($0.takes[0].origin == .played ? "k" : "p") : String($0.selectedTake) }
        if includeCandidate, candidate != nil { takes.append("c") }
        var fields = ["cadenza take", "checkpoint=\(checkpointName)", "seed=\(seed)", settings.description,
                      "K=\(regenerationCandidates)"]
        if let key { fields.append("key=\(key)") } else if !holdsKey && tokenizer.vocabulary.hasKeys { fields.append("key=free") }
        if !primerDescription.isEmpty { fields.append(primerDescription) }
        fields.append("bars=\(takes.count)")
        fields.append("takes=\(takes.joined(separator: ","))")
        fields.append("bar-settings=\(barSettings(includeCandidate: includeCandidate))")
        return fields.joined(separator: "; ")
    }

    /// The settings each bar's selected take was written with, as runs of bars (1-based):
    /// "1-2 primer | 3-10 temperature=0.85 ... | 11 temperature=1.2 ...".
    func barSettings(includeCandidate: Bool) -> String {
        var origins = bars.map { $0.takes[$0.selectedTake].origin }
        if includeCandidate, let c = candidate { origins.append(c.take.origin) }
        var runs: [(first: Int, last: Int, origin: Take.Origin)] = []
        for (i, origin) in origins.enumerated() {
            if let last = runs.last, last.origin == origin, last.last == i - 1 { runs[runs.count - 1].last = i }
            else { runs.append((i, i, origin)) }
        }
        return runs.map { run in
            let span = run.first == run.last ? "\(run.first + 1)" : "\(run.first + 1)-\(run.last + 1)"
            switch run.origin {
            case .primer: return span + " primer"
            case .played: return span + " played"
            case .sampled(let settings): return span + " " + settings.description
            }
        }.joined(separator: " | ")
    }

    /// The take as a format 1 MIDI file (480 ticks per quarter) whose conductor track opens
    /// with a text meta event holding `provenance(includeCandidate:)`.
    public func midiFile(includeCandidate: Bool = false, title: String? = nil) throws -> MIDIFile {
        let score = try takeAsScore(includeCandidate: includeCandidate)
        return Self.midiFile(score: score, provenance: provenance(includeCandidate: includeCandidate), title: title)
    }

    /// A score as MIDI with a provenance text event at tick 0 of the conductor track. A
    /// score without key signatures (a model without KEY tokens) gets them from key-finding,
    /// so notation programs spell its accidentals in its key.
    public static func midiFile(score: PianoScore, provenance: String, title: String? = nil) -> MIDIFile {
        var score = score
        if score.keySignatures.isEmpty && !score.notes.isEmpty {
            let starts = score.barStartTicks()
            var previous: MusicalKey? = nil
            for (start, key) in zip(starts, Tokenizer.keys(of: score, atBarStarts: starts)) where key != previous {
                score.keySignatures.append(KeySignatureChange(ticks: start, sharps: key.sharps, isMinor: key.isMinor))
                previous = key
            }
        }
        var file = score.midiFile(title: title)
        if !file.tracks.isEmpty {
            let at = title == nil ? 0 : 1
            file.tracks[0].events.insert(TimedEvent(ticks: 0, event: .meta(.text(provenance))), at: at)
        }
        return file
    }
}
