// The composition session on a real (small, random-weight) LSTM and the real tokenizer and
// grammar: regeneration touches only its bar, seeds replay exactly, rewind restores the
// model state exactly, and a seeded fuzz of the whole API keeps every bar decodable.
import Foundation
import MIDI
import NN
import Testing
import Tokenization
@testable import Generation

@Suite struct CompositionSessionTests {
    /// Finite but huge weights (3e38) overflow to NaN and infinite logits.
    static func overflowingModel() -> LSTMModel {
        let model = TestModels.model(seed: 3, hidden: 8, layers: 1)
        for name in model.tensorNames() { model.withTensor(named: name) { $0.update(repeating: 3e38) } }
        return model
    }

    @Test func nonFiniteLogitsAreAnErrorNamingTheCheckpoint() throws {
        let s = try TestModels.session(model: Self.overflowingModel())
        #expect(throws: GenerationError.nonFiniteLogits(checkpoint: "test.safetensors")) { try s.generateBar() }
        #expect(GenerationError.nonFiniteLogits(checkpoint: "huge.safetensors").description
            == "huge.safetensors gives NaN or infinite logits, so no token can be sampled; its weights are broken or too large, use another checkpoint")
        #expect(throws: GenerationError.nonFiniteLogits(checkpoint: "huge.safetensors")) {
            try PieceGenerator.generate(model: Self.overflowingModel(), tokenizer: TestModels.tokenizer,
                                        checkpointName: "huge.safetensors", request: PieceRequest(bars: 2))
        }
    }

    @Test func barsStartWithBarAndTheCandidateEndsWhenTheModelWritesBar() throws {
        let s = try TestModels.session()
        var events: [TokenEvent] = []
        while let e = try s.step() { events.append(e) }
        #expect(events.last?.completesBar == true)
        #expect(events.dropLast().allSatisfy { !$0.completesBar && $0.bar == 0 })
        #expect(events.allSatisfy { $0.probability > 0 && $0.probability <= 1 })
        #expect(try s.step() == nil)  // complete: waits for acceptance
        #expect(s.acceptCandidate())
        for _ in 0..<4 { try s.generateBar() }
        #expect(s.acceptedBarCount == 5)
        for bar in TestModels.barTokens(s) { #expect(bar.first == TestModels.tokenizer.vocabulary.barID) }
        #expect(TestModels.replayState(s.tokens(includeCandidate: true)) == s.end.state)
        _ = try s.takeAsScore()
    }

    /// The candidates of a regenerated bar are re-fed in one batch: each gets the states and
    /// the likelihood that re-feeding it alone gives.
    @Test func batchedRefeedMatchesOneStartAtATime() throws {
        let s = try TestModels.session(seed: 12)
        for _ in 0..<5 { try s.generateBar() }
        let candidates = try s.sampleBars(from: s.bars[1].start, header: s.header(of: s.bars[1].tokens), count: 3)
        let batched = s.refeed(from: 2, starts: candidates.map(\.end))
        #expect(Set(candidates.map(\.take.tokens)).count > 1)
        for (i, candidate) in candidates.enumerated() {
            let alone = s.refeed(from: 2, start: candidate.end)
            #expect((alone == nil) == (batched[i] == nil))
            guard let alone, let together = batched[i] else { continue }
            #expect(abs(alone.logLikelihood - together.logLikelihood) <= 1e-5 * abs(alone.logLikelihood))
            #expect(alone.end.state == together.end.state)
            #expect(alone.starts.map(\.state) == together.starts.map(\.state))
        }
    }

    @Test func regeneratingBarKChangesBarKOnlyAndRefreshesLaterStates() throws {
        let s = try TestModels.session(seed: 11)
        for _ in 0..<6 { try s.generateBar() }
        for _ in 0..<3 { try s.step() }  // a candidate in progress must survive too
        let before = TestModels.barTokens(s)
        let candidateBefore = s.candidate!.take.tokens
        let oldStartOfBar3 = s.bars[3].start.state
        let report = try s.regenerate(bar: 2)
        let after = TestModels.barTokens(s)
        for k in 0..<6 where k != 2 { #expect(after[k] == before[k], "bar \(k) changed") }
        #expect(after[2] != before[2])
        #expect(s.header(of: after[2]) == s.header(of: before[2]))  // the meter and tempo marking stay
        #expect(s.candidate!.take.tokens == candidateBefore)
        #expect(try s.takes(ofBar: 2) == (count: 2, selected: 1))
        #expect(report.candidateLogLikelihoods.count == 4)
        #expect(report.candidateLogLikelihoods[report.chosenCandidate] == report.candidateLogLikelihoods.max())
        // Later bars were re-fed: their start states follow the new bar 2.
        #expect(s.bars[3].start.state != oldStartOfBar3)
        #expect(s.bars[4].start.state == TestModels.replayState(Array(s.tokens(includeCandidate: false).prefix(s.prefixTokens.count + after[0..<4].joined().count))))
        #expect(TestModels.replayState(s.tokens(includeCandidate: true)) == s.end.state)
        // Back to the first take: the piece is as before, states included.
        try s.selectTake(bar: 2, take: 0)
        #expect(TestModels.barTokens(s) == before)
        #expect(s.bars[3].start.state == oldStartOfBar3)
        #expect(throws: GenerationError.self) { try s.selectTake(bar: 2, take: 5) }
        #expect(throws: GenerationError.self) { try s.regenerate(bar: 6) }
    }

    @Test func theChosenCandidateScoresWhatFollowsExactly() throws {
        // The reported log-likelihood of the chosen candidate is the log-probability of the
        // following tokens recomputed from scratch with the new bar in place.
        let s = try TestModels.session(seed: 5)
        for _ in 0..<4 { try s.generateBar() }
        let report = try s.regenerate(bar: 1)
        let all = s.tokens(includeCandidate: false)
        let followingStart = s.prefixTokens.count + s.bars[0].tokens.count + s.bars[1].tokens.count
        var grammar = GrammarState(vocabulary: TestModels.tokenizer.vocabulary)
        let inference = LSTMInference(model: TestModels.sharedModel)
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: TestModels.tokenizer.vocabulary.count)
        var mask = [Bool](repeating: false, count: logits.count)
        var total = 0.0
        for (i, t) in all.enumerated() {
            if i >= followingStart {
                grammar.fillMask(&mask)
                for id in s.neverSampled { mask[id] = false }
                total += logits.withUnsafeBufferPointer { l in mask.withUnsafeBufferPointer { Sampler.logProbability(of: t, logits: l, allowed: $0) } }
            }
            grammar.advance(t)
            logits.withUnsafeMutableBufferPointer { inference.step(token: t, state: &state, logits: $0) }
        }
        #expect(abs(total - report.candidateLogLikelihoods[report.chosenCandidate]) < 1e-6 * max(1, abs(total)))
    }

    @Test func sameSeedSameRegeneration() throws {
        func run(_ seed: UInt64) throws -> [[Int]] {
            let s = try TestModels.session(seed: seed)
            for _ in 0..<5 { try s.generateBar() }
            try s.regenerate(bar: 1)
            s.reseed(99)
            try s.regenerate(bar: 3)
            return TestModels.barTokens(s)
        }
        #expect(try run(3) == run(3))
        #expect(try run(3) != run(4))
        // Reseeding makes regeneration independent of the history before it.
        let a = try TestModels.session(seed: 1), b = try TestModels.session(seed: 1)
        for _ in 0..<4 { try a.generateBar(); try b.generateBar() }
        a.reseed(42); b.reseed(42)
        try a.regenerate(bar: 2); try b.regenerate(bar: 2)
        #expect(TestModels.barTokens(a) == TestModels.barTokens(b))
    }

    @Test func rewindThenGenerateEqualsNeverHavingGenerated() throws {
        let a = try TestModels.session(seed: 21), b = try TestModels.session(seed: 21)
        for _ in 0..<3 { try a.generateBar(); try b.generateBar() }
        try a.generateBar()
        for _ in 0..<5 { try a.step() }  // and a half-written candidate
        #expect(a.rewind())           // drops the candidate
        #expect(a.rewind())           // drops bar 3
        #expect(a.acceptedBarCount == 3)
        #expect(a.end.state == b.end.state)
        b.generator = a.generator     // the same generator state
        try a.generateBar(); try b.generateBar()
        #expect(TestModels.barTokens(a) == TestModels.barTokens(b))
        #expect(a.end.state == b.end.state)
        // Rewinding everything leaves the prefix; one more rewind does nothing.
        for _ in 0..<4 { #expect(a.rewind()) }
        #expect(!a.rewind())
        #expect(a.end.state == TestModels.replayState(a.prefixTokens))
    }

    @Test func settingsApplyFromTheNextToken() throws {
        let s = try TestModels.session(seed: 2)
        try s.generateBar()
        try s.setSettings(SamplingSettings(temperature: 0, topK: 0, topP: 1))
        // Greedy: two sessions at the same point write the same bar whatever the generator.
        let t = try TestModels.session(seed: 2)
        try t.generateBar()
        try t.setSettings(s.settings)
        t.reseed(12345)
        try s.generateBar(); try t.generateBar()
        #expect(TestModels.barTokens(s)[1] == TestModels.barTokens(t)[1])
        #expect(s.bars[1].takes[0].origin == .sampled(SamplingSettings(temperature: 0, topK: 0, topP: 1)))
        s.regenerationCandidates = 0
        #expect(s.regenerationCandidates == 1)
    }

    @Test func aChosenKeyOpensEveryNewBarAndIsSavedAsTheKeySignature() throws {
        let s = try TestModels.session(seed: 5)
        let v = TestModels.tokenizer.vocabulary
        let eMinor = MusicalKey(tonic: 4, isMinor: true), aFlat = MusicalKey(tonic: 8, isMinor: false)
        try s.setKey(eMinor)
        for _ in 0..<3 { try s.generateBar() }
        try s.setKey(aFlat)
        for _ in 0..<2 { try s.generateBar() }
        let keys = TestModels.barTokens(s).map { bar in bar.filter { $0 >= v.keyStart } }
        #expect(keys == [[v.keyID(eMinor)!], [v.keyID(eMinor)!], [v.keyID(eMinor)!], [v.keyID(aFlat)!], [v.keyID(aFlat)!]])
        let score = try s.takeAsScore()
        #expect(score.keySignatures.map { MusicalKey($0) } == [eMinor, aFlat])
        #expect(s.provenance().contains("key=Ab major"))
        // Regenerating a bar keeps its key (the bar's header).
        try s.regenerate(bar: 1)
        #expect(TestModels.barTokens(s)[1].filter { $0 >= v.keyStart } == [v.keyID(eMinor)!])
        // A model without KEY tokens refuses a key.
        let old = Tokenizer(configuration: .make(stepsPerQuarter: 12, keyTokens: false))
        let oldModel = LSTMModel(configuration: LSTMConfiguration(vocabularySize: old.vocabulary.count, embeddingSize: 8, hiddenSize: 8, layers: 1), seed: 1)
        let legacy = try CompositionSession(model: oldModel, tokenizer: old, checkpointName: "old", seed: 1)
        #expect(throws: GenerationError.noKeyTokens) { try legacy.setKey(eMinor) }
    }

    @Test func withoutAChosenKeyTheFirstBarsKeyIsKeptUnlessFree() throws {
        let v = TestModels.tokenizer.vocabulary
        func keys(_ s: CompositionSession) -> [[Int]] { TestModels.barTokens(s).map { $0.filter { $0 >= v.keyStart } } }
        let held = try TestModels.session(seed: 9)
        for _ in 0..<6 { try held.generateBar() }
        let heldKeys = keys(held)
        #expect(heldKeys.allSatisfy { $0.count == 1 && $0 == heldKeys[0] }, "\(heldKeys)")
        // Free: the random-weight model changes key (at this seed), and the provenance says so.
        let free = try TestModels.session(seed: 9)
        free.holdsKey = false
        for _ in 0..<6 { try free.generateBar() }
        #expect(Set(keys(free).flatMap { $0 }).count > 1)
        #expect(free.provenance().contains("key=free"))
    }

    @Test func stylesArePrefixedAndUnknownStylesRejected() throws {
        let s = try TestModels.session(style: "chopin")
        let v = TestModels.tokenizer.vocabulary
        #expect(s.prefixTokens == [v.bosID, v.id(.style("chopin"))!])
        try s.generateBar()
        #expect(TestModels.tokenizer.style(of: s.tokens(includeCandidate: false)) == "chopin")
        #expect(throws: GenerationError.unknownStyle("mozart", available: ["bach", "chopin"])) {
            _ = try TestModels.session(style: "mozart")
        }
    }

    @Test func primerBarsAreKeptAndContinued() throws {
        let score = try TestModels.fixtureScore("clementi_opus36_3_2.mid")
        let primer = try PieceGenerator.primerBars(from: score, count: 2, tokenizer: TestModels.tokenizer)
        let s = try TestModels.session()
        try s.appendPrimerBars(primer)
        for _ in 0..<3 { try s.generateBar() }
        #expect(Array(TestModels.barTokens(s).prefix(2)) == primer)
        #expect(s.snapshot().bars.prefix(2).allSatisfy { $0.isPrimer })
        // The primer's notes come back from the decoded take.
        let original = try TestModels.tokenizer.decode([TestModels.tokenizer.vocabulary.bosID] + primer.joined())
        let decoded = try s.takeAsScore()
        let end = s.snapshot().bars[2].startTicks
        #expect(decoded.notes.filter { $0.onsetTicks < end } == original.notes)
        #expect(s.provenance().contains("takes=p,p,0,0,0"))
        // Each bar's settings: change the temperature for the last bar.
        let before = s.settings.description
        var warmer = s.settings
        warmer.temperature = 1.25
        try s.setSettings(warmer)
        try s.generateBar()
        #expect(s.provenance().contains("bar-settings=1-2 primer | 3-5 \(before) | 6 \(s.settings.description)"))
        #expect(throws: GenerationError.self) {
            _ = try PieceGenerator.primerBars(from: score, count: 100_000, tokenizer: TestModels.tokenizer)
        }
    }

    @Test func snapshotNotesAgreeWithTheDecoder() throws {
        let s = try TestModels.session(seed: 8)
        for _ in 0..<6 { try s.generateBar() }
        for _ in 0..<10 { try s.step() }
        let snapshot = s.snapshot()
        #expect(snapshot.bars.count == 7 && snapshot.candidate != nil && snapshot.acceptedBarCount == 6)
        let decoded = try s.takeAsScore(includeCandidate: true)
        let fromSnapshot = snapshot.bars.flatMap(\.notes).map {
            ScoreNote(pitch: $0.pitch, velocity: $0.velocity, onsetTicks: $0.onsetTicks, durationTicks: $0.durationTicks)
        }
        var sorted = PianoScore(notes: fromSnapshot); sorted.sortNotes()
        #expect(sorted.notes == decoded.notes)
        #expect(snapshot.bars.flatMap(\.notes).allSatisfy { $0.probability > 0 && $0.probability <= 1 })
        for (a, b) in zip(snapshot.bars, snapshot.bars.dropFirst()) { #expect(a.startTicks + a.lengthTicks == b.startTicks) }
        #expect(s.snapshot() == snapshot)  // cached while nothing changes
        try s.step()
        #expect(s.snapshot().version > snapshot.version)
    }

    @Test func aRewoundBarCanBePutBackAndAnAcceptedBarUnaccepted() throws {
        let s = try TestModels.session()
        for _ in 0..<3 { try s.generateBar() }
        let tokens = s.tokens(includeCandidate: false)
        let endState = s.end.state
        let dropped = try #require(s.rewindKeepingBar())
        #expect(s.acceptedBarCount == 2 && dropped.index == 2)
        #expect(s.restore(dropped))
        #expect(s.tokens(includeCandidate: false) == tokens && s.end.state == endState)
        // Un-accepting makes the last bar a complete candidate; accepting it again is a no-op.
        #expect(s.unacceptLastBar())
        #expect(s.acceptedBarCount == 2 && s.hasCandidate && s.candidateIsComplete)
        #expect(s.tokens(includeCandidate: true) == tokens && s.end.state == endState)
        #expect(s.acceptCandidate())
        #expect(s.tokens(includeCandidate: false) == tokens && s.end.state == endState)
        // A dropped candidate comes back as the candidate.
        _ = try s.step(); _ = try s.step()
        let withCandidate = s.tokens(includeCandidate: true)
        let droppedCandidate = try #require(s.rewindKeepingBar())
        #expect(!s.hasCandidate)
        #expect(s.restore(droppedCandidate))
        #expect(s.tokens(includeCandidate: true) == withCandidate)
        // Once bars were written after the rewind, the bar cannot go back.
        s.rewind()
        let old = try #require(s.rewindKeepingBar())
        try s.generateBar()
        #expect(!s.restore(old))
    }

    @Test func playedBarsReplaceTheModelsBarsFromWhereThePersonPlayed() throws {
        let s = try TestModels.session()
        for _ in 0..<4 { try s.generateBar() }
        _ = try s.step()
        let score = PianoScore(notes: [ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 480),
                                       ScoreNote(pitch: 64, velocity: 80, onsetTicks: 2400, durationTicks: 480)])
        let played = PieceGenerator.tokenBars(of: score, tokenizer: TestModels.tokenizer)
        #expect(played.count == 2)
        let kept = Array(TestModels.barTokens(s).prefix(2))
        try s.insertPlayedBars(played, atBar: 2)
        #expect(!s.hasCandidate && s.acceptedBarCount == 4)
        #expect(Array(TestModels.barTokens(s).prefix(2)) == kept && Array(TestModels.barTokens(s).suffix(2)) == played)
        let bars = s.snapshot().bars
        #expect(bars.map(\.isPlayed) == [false, false, true, true])
        #expect(s.provenance().contains("takes=0,0,k,k") && s.provenance().contains("| 3-4 played"))
        try s.generateBar()  // the model goes on from what was played
        #expect(s.acceptedBarCount == 5)
    }

    @Test func midiExportCarriesProvenance() throws {
        let s = try TestModels.session(seed: 4, settings: SamplingSettings(temperature: 1.0, topK: 0, topP: 0.95))
        for _ in 0..<3 { try s.generateBar() }
        try s.regenerate(bar: 0)
        let file = try s.midiFile()
        let texts = file.tracks[0].events.compactMap { e -> String? in
            if case .meta(.text(let t)) = e.event { return t } else { return nil }
        }
        #expect(texts == ["cadenza take; checkpoint=test.safetensors; seed=4; temperature=1.0 top-k=0 top-p=0.95 min-p=0.0; K=4; bars=3; takes=1,0,0; bar-settings=1-3 temperature=1.0 top-k=0 top-p=0.95 min-p=0.0"])
        // Same notes back (the writer merges a pitch struck twice at one tick, so compare sets).
        let reread = PianoScore(midi: try MIDIFile(bytes: file.encoded()))
        func keys(_ score: PianoScore) -> Set<[Int]> { Set(score.notes.map { [$0.pitch, $0.onsetTicks] }) }
        #expect(keys(reread) == keys(try s.takeAsScore()))
    }

    /// A seeded fuzz of the whole API: after every operation the piece decodes, the
    /// snapshot agrees with the decoder, and the model state equals a replay from scratch.
    @Test func survivesHundredsOfRandomOperations() throws {
        var rng = SeededGenerator(seed: 2024)
        let s = try TestModels.session(seed: 1, style: "bach")
        var operations = [String: Int]()
        for step in 0..<300 {
            let op = rng.nextInt(below: 10)
            switch op {
            case 0, 1:
                for _ in 0..<(1 + rng.nextInt(below: 20)) { try s.step() }
                operations["step", default: 0] += 1
            case 2: s.acceptCandidate(); operations["accept", default: 0] += 1
            case 3: try s.generateBar(); operations["generateBar", default: 0] += 1
            case 4:
                if s.acceptedBarCount > 0 {
                    do { try s.regenerate(bar: rng.nextInt(below: s.acceptedBarCount)) } catch GenerationError.takeDoesNotFit {}
                    operations["regenerate", default: 0] += 1
                }
            case 5:
                if s.acceptedBarCount > 0 {
                    let k = rng.nextInt(below: s.acceptedBarCount)
                    let takes = try s.takes(ofBar: k)
                    do { try s.selectTake(bar: k, take: rng.nextInt(below: takes.count)) } catch GenerationError.takeDoesNotFit {}
                    operations["selectTake", default: 0] += 1
                }
            case 6: s.rewind(); operations["rewind", default: 0] += 1
            case 7:
                try s.setSettings(SamplingSettings(temperature: [0, 0.5, 1, 1.5][rng.nextInt(below: 4)],
                                                   topK: [0, 1, 5, 40][rng.nextInt(below: 4)],
                                                   topP: [1, 0.9, 0.5][rng.nextInt(below: 3)]))
                s.regenerationCandidates = 1 + rng.nextInt(below: 4)
                operations["settings", default: 0] += 1
            case 8: s.reseed(UInt64(rng.nextInt(below: 1000))); operations["reseed", default: 0] += 1
            default:
                _ = s.snapshot(); operations["snapshot", default: 0] += 1
            }
            if s.acceptedBarCount > 10 { s.rewind(); s.rewind() }
            let ids = s.tokens(includeCandidate: true)
            let decoded = try TestModels.tokenizer.decode(ids)
            #expect(s.bars.allSatisfy { $0.tokens.first == TestModels.tokenizer.vocabulary.barID })
            if step % 20 == 0 {
                let snap = s.snapshot()
                #expect(snap.bars.flatMap(\.notes).count == decoded.notes.count)
                #expect(TestModels.replayState(ids) == s.end.state, "state drifted at operation \(step)")
            }
        }
        #expect(operations.count == 9)  // every kind of operation ran
    }
}
