// Data handling: the split by whole files, the batch streams of truncated BPTT (row
// continuity, coverage, transposition), token files, and batched evaluation matching a
// token-by-token reference, and overfitting one fixture passage.
import Foundation
import MIDI
import NN
import Testing
import Tokenization
@testable import Training

@Suite struct TrainingDataTests {
    static func file(_ path: String, _ tokens: [UInt16] = [1, 2]) -> TokenizedFile {
        TokenizedFile(relativePath: path, style: nil, contentHash: 0, tokens: tokens, failure: nil)
    }

    @Test func splitIsByWholeFilesAndStable() {
        let files = (0..<40).map { Self.file("composer\($0 % 4)/piece\($0).mid") }
        let split = CorpusSplit(files, validationFraction: 0.1)
        #expect(split.validation.count == 4)
        #expect(split.training.count == 36)
        #expect(Set(split.training.map(\.relativePath)).isDisjoint(with: split.validation.map(\.relativePath)))
        // The same files in another order, or with more files added, keep their side.
        let again = CorpusSplit(files.reversed(), validationFraction: 0.1)
        #expect(Set(again.validation.map(\.relativePath)) == Set(split.validation.map(\.relativePath)))
        let more = CorpusSplit(files + (40..<44).map { Self.file("new/x\($0).mid") }, validationFraction: 0.1)
        #expect(Set(split.training.map(\.relativePath)).isSubset(of: more.training.map(\.relativePath)) || more.validation.count > 4)
        #expect(CorpusSplit([Self.file("a.mid")], validationFraction: 0.5).training.count == 1)
        #expect(CorpusSplit(Array(files.prefix(2)), validationFraction: 0.01).validation.count == 1)
        #expect(CorpusSplit(files, validationFraction: 0).validation.isEmpty)
    }

    @Test func batchRowsContinueAcrossStepsAndCoverTheEpoch() {
        let files: [[UInt16]] = [Array(0..<50), Array(100..<137), Array(200..<290)]
        let (B, T) = (3, 7)
        let streams = BatchStreams(files: files, batchSize: B, sequenceLength: T, pitchIDs: 0..<0, augmentSemitones: 0, seed: 3, epoch: 0)
        #expect(streams.segmentLength == 177 / 3)
        #expect(streams.stepsPerEpoch == (59 - 1) / 7)
        var seen: [Int32] = []
        var previous: [Int32]?
        for step in 0..<streams.stepsPerEpoch {
            var x = [Int32](repeating: 0, count: B * T), y = x
            streams.fill(step: step, inputs: &x, targets: &y)
            for b in 0..<B {
                for t in 0..<(T - 1) { #expect(y[b * T + t] == x[b * T + t + 1]) }
                if let p = previous { #expect(x[b * T] == p[b * T + T - 1]) }  // row b continues row b
            }
            previous = y
            seen += x
        }
        // Every input is a corpus token, each position of the virtual stream used at most once.
        let all = Set(files.flatMap { $0.map(Int32.init) })
        #expect(seen.allSatisfy(all.contains))
        #expect(Set(seen).count == seen.count)
        // Another epoch orders the files differently (with this seed), deterministically.
        let e1 = BatchStreams(files: files, batchSize: B, sequenceLength: T, pitchIDs: 0..<0, augmentSemitones: 0, seed: 3, epoch: 1)
        let e1again = BatchStreams(files: files, batchSize: B, sequenceLength: T, pitchIDs: 0..<0, augmentSemitones: 0, seed: 3, epoch: 1)
        #expect(e1.order.map(\.file) == e1again.order.map(\.file))
    }

    @Test func transpositionMovesOnlyPitchesAndStaysInRange() {
        // Pitch ids 10..<20; file 0 spans 11...18 (may move -1...+1), file 1 spans 10...19 (cannot move).
        let files: [[UInt16]] = [[1, 11, 5, 18, 3, 12], [1, 10, 19, 5, 2, 2]]
        var shifts = Set<Int>()
        for epoch in 0..<40 {
            let s = BatchStreams(files: files, batchSize: 1, sequenceLength: 11, pitchIDs: 10..<20, augmentSemitones: 3, seed: 9, epoch: epoch)
            for (file, shift) in s.order {
                if file == 1 { #expect(shift == 0) } else { #expect((-1...1).contains(shift)); shifts.insert(shift) }
            }
            var x = [Int32](repeating: 0, count: 11), y = x
            s.fill(step: 0, inputs: &x, targets: &y)
            let stream = x + [y.last!]
            #expect(stream.filter { !(10..<20).contains($0) } .sorted() == [1, 1, 2, 2, 3, 5, 5])
            #expect(stream.allSatisfy { $0 < 20 })
        }
        #expect(shifts == [-1, 0, 1])
    }

    @Test func tokenFilesAcceptTheReferenceFormats() throws {
        #expect(try TokenFile.parse(Data("[1, 2, 3]".utf8), path: "t") == [[1, 2, 3]])
        #expect(try TokenFile.parse(Data("[[1, 2], [3]]".utf8), path: "t") == [[1, 2], [3]])
        #expect(try TokenFile.parse(Data("{\"tokens\": [[4, 5]]}".utf8), path: "t") == [[4, 5]])
        for bad in ["", "[]", "[1, 2.5]", "[[1], []]", "{\"x\": 1}", "[true]", "[\"1\"]", "nonsense"] {
            #expect(throws: TrainingError.self, "\(bad)") { try TokenFile.parse(Data(bad.utf8), path: "t") }
        }
    }

    @Test func batchedEvaluationMatchesTokenByTokenInference() throws {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 23, embeddingSize: 5, hiddenSize: 9, layers: 2), seed: 4)
        var rng = SplitMix64(seed: 11)
        let sequences = [1, 2, 17, 5, 30, 9, 12, 4].map { n in (0..<n).map { _ in Int(rng.next() % 23) } }
        let batched = try SequenceEvaluation.evaluate(model: model, sequences: sequences, batchSize: 3, sequenceLength: 5)
        // Reference: one token at a time from a zero state, in Double.
        let inference = LSTMInference(model: model)
        var logits = [Float](repeating: 0, count: 23)
        var total = 0.0, count = 0
        for s in sequences where s.count > 1 {
            var state = inference.makeState()
            for t in 0..<(s.count - 1) {
                logits.withUnsafeMutableBufferPointer { inference.step(token: s[t], state: &state, logits: $0) }
                let m = Double(logits.max()!)
                total += m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) }) - Double(logits[s[t + 1]])
                count += 1
            }
        }
        #expect(batched.predictions == count)
        #expect(batched.sequences == sequences.count)
        #expect(abs(batched.meanNLL - total / Double(count)) < 1e-5 * (total / Double(count)))
        #expect(throws: TrainingError.tokenOutOfRange(id: 23, vocabularySize: 23)) {
            try SequenceEvaluation.evaluate(model: model, sequences: [[1, 23]])
        }
    }

    @Test func nonFiniteLossIsAnErrorNamingTheCheckpoint() throws {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 23, embeddingSize: 5, hiddenSize: 9, layers: 2), seed: 4)
        for name in model.tensorNames() { model.withTensor(named: name) { $0.update(repeating: 3e38) } }
        let r = try SequenceEvaluation.evaluate(model: model, sequences: [[1, 2, 3, 4, 5]])
        #expect(!r.meanNLL.isFinite)
        #expect { try r.checkFinite(checkpoint: "huge.safetensors") } throws: { error in
            guard case TrainingError.nonFiniteLoss(let path, let loss) = error else { return false }
            return path == "huge.safetensors" && !loss.isFinite
        }
        #expect(TrainingError.nonFiniteLoss(path: "huge.safetensors", loss: -.nan).description
            == "huge.safetensors: the loss is NaN: the model's outputs overflow, so its weights are broken or too large; use another checkpoint")
        #expect(TrainingError.nonFiniteLoss(path: "h", loss: .infinity).description.hasPrefix("h: the loss is infinite: "))
    }

    @Test func perKindLossesAddUpToTheMean() throws {
        let vocabulary = Vocabulary(configuration: .default)
        let score = TrainingFixtures.piece(seed: 1, notes: 12)
        let ids = Tokenizer(vocabulary: vocabulary).encode(score)
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: vocabulary.count, embeddingSize: 4, hiddenSize: 6, layers: 1), seed: 2)
        let r = try SequenceEvaluation.evaluate(model: model, sequences: [ids], vocabulary: vocabulary)
        #expect(Set(r.byKind.keys).isSuperset(of: ["bar", "position", "velocity", "pitch", "duration"]))
        #expect(r.byKind.values.reduce(0) { $0 + $1.count } == r.predictions)
        #expect(abs(r.byKind.values.reduce(0.0) { $0 + $1.sum } - r.nllSum) < 1e-9 * r.nllSum)
    }

    @Test func overfitsAFixturePassage() throws {
        // The first 96 tokens of a real corpus file (Tests/Fixtures), learnt by heart.
        let url = TrainingFixtures.fixtures.appendingPathComponent("clementi_opus36_3_2.mid")
        let vocabulary = Vocabulary(configuration: .default)
        let ids = Tokenizer(vocabulary: vocabulary).encode(PianoScore(midi: try MIDIFile(contentsOf: url)))
        let passage = ids.prefix(97).map { UInt16($0) }
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: vocabulary.count, embeddingSize: 16, hiddenSize: 32, layers: 1), seed: 1)
        let (B, T) = (4, 23)  // 4 rows of 24 tokens: the whole passage each step
        let trainer = LSTMTrainer(model: model, batchSize: B, sequenceLength: T, settings: AdamSettings(clipNorm: 5), seed: 1)
        let streams = BatchStreams(files: [Array(passage)], batchSize: B, sequenceLength: T, pitchIDs: 0..<0, augmentSemitones: 0, seed: 1, epoch: 0)
        #expect(streams.stepsPerEpoch == 1)
        var x = [Int32](repeating: 0, count: B * T), y = x
        streams.fill(step: 0, inputs: &x, targets: &y)
        let first = trainer.trainStep(inputs: x, targets: y, learningRate: 0.03)
        var loss = first
        for _ in 0..<150 { loss = trainer.trainStep(inputs: x, targets: y, learningRate: 0.03) }
        #expect(first > 4)
        #expect(loss < 0.05, "loss \(first) -> \(loss)")
    }
}
