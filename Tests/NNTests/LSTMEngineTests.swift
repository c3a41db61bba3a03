// The fast LSTM engine against the Double reference (loss, logits, every gradient, Adam
// steps), the reference against finite differences, inference against the training forward,
// overfitting, determinism and state carrying.
import Foundation
import Testing
@testable import NN

/// max |a - b| / max |b|: the error relative to the tensor's scale.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var diff = 0.0, scale = 1e-12
    for i in 0..<a.count {
        diff = max(diff, abs(a[i] - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return diff / scale
}

func randomTokens(_ rng: inout SplitMix64, count: Int, below v: Int) -> [Int32] {
    (0..<count).map { _ in Int32(rng.next() % UInt64(v)) }
}

/// (B, T) row-major → [b][t].
func rows(_ flat: [Int32], b: Int, t: Int) -> [[Int]] {
    (0..<b).map { i in (0..<t).map { j in Int(flat[i * t + j]) } }
}

struct Shape: CustomStringConvertible {
    var V, E, H, L, B, T: Int
    var dropout: Float = 0
    var threads = 1
    var description: String { "V\(V) E\(E) H\(H) L\(L) B\(B) T\(T) p\(dropout) threads \(threads)" }
    var configuration: LSTMConfiguration {
        LSTMConfiguration(vocabularySize: V, embeddingSize: E, hiddenSize: H, layers: L, dropout: dropout)
    }
}

@Suite struct LSTMEngineTests {
    static let shapes: [Shape] = [
        Shape(V: 11, E: 5, H: 7, L: 1, B: 3, T: 4),  // scalar tails everywhere
        Shape(V: 13, E: 8, H: 16, L: 2, B: 2, T: 5),  // SIMD path
        Shape(V: 9, E: 6, H: 12, L: 3, B: 4, T: 3),  // mixed, three layers
        Shape(V: 10, E: 8, H: 8, L: 2, B: 3, T: 6, dropout: 0.3),  // dropout masks
        Shape(V: 12, E: 8, H: 20, L: 2, B: 3, T: 4, threads: 2),  // two threads, uneven units
        Shape(V: 17, E: 9, H: 24, L: 3, B: 2, T: 5, dropout: 0.2, threads: 3),  // three threads
    ]

    /// The engine's masks as [layer][b][t][j] for the reference.
    static func masks(of trainer: LSTMTrainer, _ s: Shape) -> [[[[Double]]]]? {
        guard s.dropout > 0 else { return nil }
        return (0..<s.L).map { k in
            (0..<s.B).map { b in
                (0..<s.T).map { t in (0..<s.H).map { j in Double(trainer.masks[k][((t * s.B) + b) * s.H + j].pointee) } }
            }
        }
    }

    /// Both ways of layer 0's input projection: per position, and per vocabulary entry looked
    /// up by token (what the trainer does when V <= B·T/2).
    @Test(arguments: shapes, [false, true])
    func engineMatchesReference(_ s: Shape, projectsByToken: Bool) {
        let model = LSTMModel(configuration: s.configuration, seed: 7)
        let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, seed: 3, threads: s.threads,
                                  projectsByToken: projectsByToken)
        #expect(trainer.projectsByToken == projectsByToken)
        #expect(trainer.team.size == s.threads)
        var rng = SplitMix64(seed: 99)
        let inputs = randomTokens(&rng, count: s.B * s.T, below: s.V)
        var targets = randomTokens(&rng, count: s.B * s.T, below: s.V)
        targets[1] = -1  // an ignored position
        let loss = trainer.computeGradients(inputs: inputs, targets: targets, training: true)
        let masks = Self.masks(of: trainer, s)
        let capturedLogits = trainer.logits(inputs: inputs, training: true)  // the same masks
        let reference = ReferenceLSTM(model: model).run(
            tokens: rows(inputs, b: s.B, t: s.T), targets: rows(targets, b: s.B, t: s.T), masks: masks)

        #expect(abs(Double(loss) - reference.loss) / reference.loss < 1e-5, "loss \(loss) vs \(reference.loss)")
        var engineLogits: [Double] = [], referenceLogits: [Double] = []
        for b in 0..<s.B {
            for t in 0..<s.T {
                for v in 0..<s.V {
                    engineLogits.append(Double(capturedLogits[(t * s.B + b) * s.V + v]))
                    referenceLogits.append(reference.logits[b][t][v])
                }
            }
        }
        #expect(relativeError(engineLogits, referenceLogits) < 1e-5)
        for name in model.tensorNames() {
            let engine = trainer.withGradient(named: name) { $0.map(Double.init) }
            let error = relativeError(engine, reference.gradients[name]!)
            #expect(error < 1e-4, "gradient of \(name): relative error \(error)")
        }
    }

    @Test func referenceGradientsMatchFiniteDifferences() {
        let s = Shape(V: 7, E: 4, H: 5, L: 2, B: 2, T: 3)
        let model = LSTMModel(configuration: s.configuration, seed: 11)
        var rng = SplitMix64(seed: 5)
        let tokens = rows(randomTokens(&rng, count: s.B * s.T, below: s.V), b: s.B, t: s.T)
        let targets = rows(randomTokens(&rng, count: s.B * s.T, below: s.V), b: s.B, t: s.T)
        var reference = ReferenceLSTM(model: model)
        let analytic = reference.run(tokens: tokens, targets: targets).gradients
        let h = 1e-5
        for name in model.tensorNames() {
            let count = reference.parameters[name]!.count
            // A few entries of each tensor; the embedding rows of tokens that occur.
            let indices = name == "embedding.weight" ? [tokens[0][0] * s.E, tokens[1][2] * s.E + 3] : [0, count / 2, count - 1]
            for i in indices {
                let saved = reference.parameters[name]![i]
                reference.parameters[name]![i] = saved + h
                let plus = reference.run(tokens: tokens, targets: targets, withGradients: false).loss
                reference.parameters[name]![i] = saved - h
                let minus = reference.run(tokens: tokens, targets: targets, withGradients: false).loss
                reference.parameters[name]![i] = saved
                let numeric = (plus - minus) / (2 * h)
                let a = analytic[name]![i]
                #expect(abs(numeric - a) <= 1e-7 + 1e-5 * abs(a), "\(name)[\(i)]: analytic \(a) numeric \(numeric)")
            }
        }
    }

    /// Three Adam steps with clipping and weight decay, replayed in Double on the reference's gradients.
    @Test func adamStepsMatchReference() {
        let s = Shape(V: 9, E: 6, H: 8, L: 2, B: 2, T: 4)
        let settings = AdamSettings(beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.01, clipNorm: 0.5)
        let model = LSTMModel(configuration: s.configuration, seed: 21)
        let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, settings: settings, seed: 1)
        var reference = ReferenceLSTM(model: model)
        var m: [String: [Double]] = [:], v: [String: [Double]] = [:]
        var rng = SplitMix64(seed: 8)
        let lr = 0.01
        var losses: [Float] = []
        for step in 1...3 {
            let inputs = randomTokens(&rng, count: s.B * s.T, below: s.V)
            let targets = randomTokens(&rng, count: s.B * s.T, below: s.V)
            losses.append(trainer.trainStep(inputs: inputs, targets: targets, learningRate: Float(lr)))
            let r = reference.run(tokens: rows(inputs, b: s.B, t: s.T), targets: rows(targets, b: s.B, t: s.T))
            #expect(abs(Double(losses.last!) - r.loss) / r.loss < 1e-5)
            let norm = r.gradients.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1 * $1 } }.squareRoot()
            let scale = min(1, 0.5 / (norm + 1e-6))
            for (name, g) in r.gradients {
                var p = reference.parameters[name]!
                var mm = m[name] ?? [Double](repeating: 0, count: g.count), vv = v[name] ?? mm
                for i in 0..<g.count {
                    let gi = g[i] * scale
                    p[i] *= 1 - lr * 0.01
                    mm[i] = 0.9 * mm[i] + 0.1 * gi
                    vv[i] = 0.99 * vv[i] + 0.01 * gi * gi
                    let mh = mm[i] / (1 - pow(0.9, Double(step))), vh = vv[i] / (1 - pow(0.99, Double(step)))
                    p[i] -= lr * mh / (vh.squareRoot() + 1e-8)
                }
                reference.parameters[name] = p
                m[name] = mm
                v[name] = vv
            }
        }
        #expect(trainer.step == 3)
        for name in model.tensorNames() {
            let engine = model.withTensor(named: name) { $0.map(Double.init) }
            let error = relativeError(engine, reference.parameters[name]!)
            #expect(error < 1e-4, "\(name) after 3 steps: relative error \(error)")
            let mEngine = trainer.withOptimizerTensor(named: "exp_avg.\(name)") { $0.map(Double.init) }!
            #expect(relativeError(mEngine, m[name]!) < 1e-4, "exp_avg.\(name)")
        }
    }

    @Test(arguments: [1, 2, 3])
    func inferenceStepMatchesTrainingForward(threads: Int) {
        let s = Shape(V: 15, E: 8, H: 28, L: 3, B: 2, T: 6)
        let model = LSTMModel(configuration: s.configuration, seed: 4)
        let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, seed: 0, threads: 1)
        var rng = SplitMix64(seed: 12)
        let inputs = randomTokens(&rng, count: s.B * s.T, below: s.V)
        let capturedLogits = trainer.logits(inputs: inputs)
        let inference = LSTMInference(model: model, threads: threads)
        #expect(inference.team.size == threads)
        var logits = [Float](repeating: 0, count: s.V)
        for b in 0..<s.B {
            var state = inference.makeState()
            for t in 0..<s.T {
                logits.withUnsafeMutableBufferPointer { inference.step(token: Int(inputs[b * s.T + t]), state: &state, logits: $0) }
                let expected = (0..<s.V).map { Double(capturedLogits[(t * s.B + b) * s.V + $0]) }
                #expect(relativeError(logits.map(Double.init), expected) < 1e-5, "row \(b) step \(t)")
            }
        }
    }

    /// A batched step of K streams gives each stream what its own step gives, bit for bit (the
    /// K candidates of a regenerated bar are sampled this way), with 1, 2 and 3 threads.
    @Test(arguments: [1, 2, 3])
    func batchedStepMatchesOneStreamAtATime(threads: Int) {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 19, embeddingSize: 6, hiddenSize: 28, layers: 3), seed: 8)
        let inference = LSTMInference(model: model, threads: threads)
        var rng = SplitMix64(seed: 5)
        for rows in [1, 2, 5] {
            var batched = (0..<rows).map { _ in inference.makeState() }
            var single = batched
            var batchLogits = [Float](repeating: 0, count: rows * 19), one = [Float](repeating: 0, count: 19)
            for _ in 0..<6 {
                let tokens = (0..<rows).map { _ in Int(rng.next() % 19) }
                batchLogits.withUnsafeMutableBufferPointer { inference.step(tokens: tokens, states: &batched, logits: $0) }
                for r in 0..<rows {
                    one.withUnsafeMutableBufferPointer { inference.step(token: tokens[r], state: &single[r], logits: $0) }
                    // The same bits: every output sums over its inputs in the same order in a batch.
                    #expect(Array(batchLogits[(r * 19)..<((r + 1) * 19)]) == one, "rows \(rows) row \(r)")
                    #expect(batched[r] == single[r], "rows \(rows) row \(r)")
                }
            }
        }
    }

    /// Sampling gives the same bits at 1, 2 and 3 threads, though the members split the units
    /// and the vocabulary differently (each output sums over its inputs in one fixed order), so
    /// a seed writes the same piece on any machine.
    @Test func aStreamGetsTheSameBitsAtEveryThreadCount() {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 23, embeddingSize: 6, hiddenSize: 36, layers: 2), seed: 10)
        let tokens = [3, 17, 0, 22, 9, 9, 14, 1]
        func run(threads: Int) -> ([Float], LSTMState) {
            let inference = LSTMInference(model: model, threads: threads)
            var state = inference.makeState(), logits = [Float](repeating: 0, count: 23), all: [Float] = []
            for t in tokens {
                logits.withUnsafeMutableBufferPointer { inference.step(token: t, state: &state, logits: $0) }
                all += logits
            }
            return (all, state)
        }
        let one = run(threads: 1)
        for threads in [2, 3] {
            let other = run(threads: threads)
            #expect(other.0.map(\.bitPattern) == one.0.map(\.bitPattern) && other.1 == one.1, "\(threads) threads")
        }
    }

    /// A model saved with --dtype f16 is sampled from F16 packs (half the bytes a step streams)
    /// with the same bits as from F32 packs of the same weights, one stream or batched, at 1, 2
    /// and 3 threads; a model of F32 weights keeps F32 packs.
    @Test(arguments: [1, 2, 3])
    func f16WeightsSampleFromF16PacksWithTheSameBits(threads: Int) throws {
        let configuration = LSTMConfiguration(vocabularySize: 17, embeddingSize: 6, hiddenSize: 40, layers: 3)
        let model = LSTMModel(configuration: configuration, seed: 9)
        #expect(LSTMInference(model: model, threads: threads).recurrentPrecision == "f32")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("f16-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(model: model, metadata: CheckpointMetadata(), to: url, dtype: .f16)
        let rounded = try Checkpoint.load(from: url).model
        let half = LSTMInference(model: rounded, threads: threads)
        let single = LSTMInference(model: rounded, threads: threads, halfPacks: false)
        #expect(half.recurrentPrecision == "f16" && single.recurrentPrecision == "f32")
        #expect(half.headPrecision == "f16" && single.headPrecision == "f32")
        #expect(LSTMInference(model: model, threads: threads).headPrecision == "f32")
        var rng = SplitMix64(seed: 6)
        for rows in [1, 4] {
            var a = (0..<rows).map { _ in half.makeState() }, b = a
            var logitsA = [Float](repeating: 0, count: rows * 17), logitsB = logitsA
            for _ in 0..<8 {
                let tokens = (0..<rows).map { _ in Int(rng.next() % 17) }
                logitsA.withUnsafeMutableBufferPointer { half.step(tokens: tokens, states: &a, logits: $0) }
                logitsB.withUnsafeMutableBufferPointer { single.step(tokens: tokens, states: &b, logits: $0) }
                #expect(logitsA.map(\.bitPattern) == logitsB.map(\.bitPattern) && a == b, "rows \(rows)")
            }
        }
    }

    @Test func stateSnapshotRestoresTheStream() {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 10, embeddingSize: 4, hiddenSize: 8, layers: 2), seed: 2)
        let inference = LSTMInference(model: model)
        var state = inference.makeState()
        var a = [Float](repeating: 0, count: 10), b = a
        a.withUnsafeMutableBufferPointer { inference.step(token: 3, state: &state, logits: $0) }
        let snapshot = state
        a.withUnsafeMutableBufferPointer { inference.step(token: 5, state: &state, logits: $0) }
        var restored = snapshot
        b.withUnsafeMutableBufferPointer { inference.step(token: 5, state: &restored, logits: $0) }
        #expect(a == b)
        #expect(restored == state)
        #expect(snapshot != state)
    }

    @Test func overfitsATinySequence() {
        let s = Shape(V: 12, E: 8, H: 32, L: 2, B: 2, T: 16)
        let model = LSTMModel(configuration: s.configuration, seed: 1)
        let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, seed: 1)
        let stream: [Int32] = (0..<(s.T + 1) * s.B).map { Int32(($0 * 7 + $0 / 5) % s.V) }
        var inputs: [Int32] = [], targets: [Int32] = []
        for b in 0..<s.B {
            let row = Array(stream[(b * (s.T + 1))..<((b + 1) * (s.T + 1))])
            inputs += row.dropLast()
            targets += row.dropFirst()
        }
        let first = trainer.trainStep(inputs: inputs, targets: targets, learningRate: 0.01)
        var loss = first
        for _ in 0..<300 { loss = trainer.trainStep(inputs: inputs, targets: targets, learningRate: 0.01) }
        #expect(first > 2)
        #expect(loss < 0.05, "loss after 300 steps: \(loss)")
        #expect(trainer.evaluate(inputs: inputs, targets: targets) < 0.05)
    }

    @Test(arguments: [1, 2, 3])
    func trainingIsDeterministicForASeed(threads: Int) {
        let s = Shape(V: 10, E: 8, H: 24, L: 2, B: 4, T: 8, dropout: 0.2)
        func run() -> [Float] {
            let model = LSTMModel(configuration: s.configuration, seed: 42)
            let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, seed: 43, threads: threads)
            var rng = SplitMix64(seed: 44)
            for _ in 0..<5 {
                let x = randomTokens(&rng, count: s.B * s.T, below: s.V)
                let y = randomTokens(&rng, count: s.B * s.T, below: s.V)
                trainer.trainStep(inputs: x, targets: y, learningRate: 0.01)
            }
            return model.withParameters { Array($0) }
        }
        let a = run(), b = run()
        #expect(a == b)
        let other = LSTMModel(configuration: s.configuration, seed: 42).withParameters { Array($0) }
        #expect(a != other)
    }

    /// The team splits work by output rows and hidden units, and dropout masks are drawn per
    /// (layer, step): one, two or three threads train to the same parameters.
    @Test(arguments: [false, true])
    func threadCountDoesNotChangeTraining(projectsByToken: Bool) {
        let s = Shape(V: 11, E: 8, H: 24, L: 2, B: 3, T: 6, dropout: 0.25)
        func run(threads: Int) -> [Double] {
            let model = LSTMModel(configuration: s.configuration, seed: 9)
            let trainer = LSTMTrainer(model: model, batchSize: s.B, sequenceLength: s.T, seed: 10, threads: threads,
                                      projectsByToken: projectsByToken)
            var rng = SplitMix64(seed: 11)
            for _ in 0..<4 {
                let x = randomTokens(&rng, count: s.B * s.T, below: s.V)
                let y = randomTokens(&rng, count: s.B * s.T, below: s.V)
                trainer.trainStep(inputs: x, targets: y, learningRate: 0.01)
            }
            return model.withParameters { $0.map(Double.init) }
        }
        let one = run(threads: 1)
        #expect(relativeError(run(threads: 2), one) < 1e-5)
        #expect(relativeError(run(threads: 3), one) < 1e-5)
    }

    /// A stream evaluated in one (B, 2T) chunk equals two (B, T) chunks carrying the state,
    /// and carrying the training state changes what the second step sees.
    @Test func carriedStateContinuesTheStream() {
        let cfg = LSTMConfiguration(vocabularySize: 9, embeddingSize: 5, hiddenSize: 8, layers: 2)
        let model = LSTMModel(configuration: cfg, seed: 6)
        let (B, T) = (2, 4)
        var rng = SplitMix64(seed: 3)
        let x = randomTokens(&rng, count: B * 2 * T, below: 9), y = randomTokens(&rng, count: B * 2 * T, below: 9)
        let whole = LSTMTrainer(model: model, batchSize: B, sequenceLength: 2 * T, seed: 0)
        var wholeLosses = [Float](repeating: 0, count: B * 2 * T)
        var wholeState = whole.makeBatchState()
        _ = wholeLosses.withUnsafeMutableBufferPointer { whole.evaluate(inputs: x, targets: y, state: &wholeState, positionLosses: $0) }
        let half = LSTMTrainer(model: model, batchSize: B, sequenceLength: T, seed: 0)
        var state = half.makeBatchState()
        for chunk in 0..<2 {
            func slice(_ a: [Int32]) -> [Int32] {
                var out: [Int32] = []
                for b in 0..<B {
                    let start: Int = b * 2 * T + chunk * T
                    out += a[start..<(start + T)]
                }
                return out
            }
            var losses = [Float](repeating: 0, count: B * T)
            _ = losses.withUnsafeMutableBufferPointer { half.evaluate(inputs: slice(x), targets: slice(y), state: &state, positionLosses: $0) }
            for b in 0..<B {
                for t in 0..<T {
                    #expect(abs(losses[b * T + t] - wholeLosses[b * 2 * T + chunk * T + t]) < 1e-5)
                }
            }
        }
        #expect(relativeError(state.h.map(Double.init), wholeState.h.map(Double.init)) < 1e-5)

        half.carriesState = true
        half.trainStep(inputs: Array(x.prefix(B * T)), targets: Array(y.prefix(B * T)), learningRate: 0)
        #expect(half.trainingState.h.contains { $0 != 0 })
        half.resetState()
        #expect(half.trainingState.h.allSatisfy { $0 == 0 })
    }

    /// The recurrent kernel's activations, read back from a step with no inputs (k = 0): the
    /// gates it returns are σ(z) and tanh(z) of what went in, on every instruction set's lanes.
    @Test func recurrentKernelActivationsAreAccurate() {
        let grouping = GateGrouping(hiddenSize: 8, team: ThreadTeam(size: 1))
        let pack = ForwardRecurrentPack(grouping: grouping, inputs: 0)
        var worst: Float = 0
        var z = [Float](repeating: 0, count: 32), c = [Float](repeating: 0, count: 8), h = c
        let zero = [Float](repeating: 0, count: 8), x: [Float] = [0]
        for i in stride(from: -20_000, to: 20_000, by: 8) {
            let inputs = (0..<8).map { Float(i + $0) / 1000 }
            z = inputs + inputs + inputs + inputs
            pack.step(member: 0, units: 8, rows: 1, x: x, ldx: 0, z: &z, ldz: 32, bias: nil, cPrev: zero, c: &c, tanhC: nil,
                      h: &h, lds: 8)
            for (j, v) in inputs.enumerated() {
                let sigmoid = 1 / (1 + expf(-v))
                worst = max(worst, abs(z[j] - sigmoid), abs(z[8 + j] - sigmoid), abs(z[16 + j] - tanhf(v)), abs(z[24 + j] - sigmoid))
                #expect(abs(c[j] - sigmoid * tanhf(v)) < 1e-6)
            }
        }
        #expect(worst < 5e-7, "worst activation error \(worst) on \(RecurrentKernel.instructionSet)")
    }

    @Test func fastExpIsAccurate() {
        var worstExp: Float = 0
        for i in -8_700...8_800 {
            let x = Float(i) / 100
            let e = VectorMath.exp8(Float8(repeating: x))[0]
            worstExp = max(worstExp, abs(e - expf(x)) / expf(x))
        }
        #expect(worstExp < 1e-6)
    }

    @Test func tensorNamesAndShapesArePyTorchs() {
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 30, embeddingSize: 6, hiddenSize: 10, layers: 2), seed: 0)
        #expect(model.tensorNames() == [
            "embedding.weight",
            "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
            "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
            "head.weight", "head.bias",
        ])
        #expect(model.shape(of: "embedding.weight") == [30, 6])
        #expect(model.shape(of: "lstm.weight_ih_l0") == [40, 6])
        #expect(model.shape(of: "lstm.weight_ih_l1") == [40, 10])
        #expect(model.shape(of: "lstm.weight_hh_l1") == [40, 10])
        #expect(model.shape(of: "lstm.bias_hh_l1") == [40])
        #expect(model.shape(of: "head.weight") == [30, 10])
        #expect(model.shape(of: "head.bias") == [30])
        #expect(model.shape(of: "lstm.weight_ih_l2") == nil)
        let layer0 = 40 * 6 + 40 * 10 + 80, layer1 = 40 * 10 + 40 * 10 + 80
        let expectedCount: Int = 30 * 6 + layer0 + layer1 + 30 * 10 + 30
        #expect(model.parameterCount == expectedCount)
        // Writes through withTensor are what the engine reads.
        model.withTensor(named: "head.bias") { $0[3] = 42 }
        #expect(model.withTensor(named: "head.bias") { $0[3] } == 42)
    }

    @Test func learningRateSchedule() {
        let cosine = LearningRateSchedule(baseRate: 1e-3, warmupSteps: 10, decay: .cosine(totalSteps: 100, minimum: 1e-5))
        #expect(abs(cosine.rate(atStep: 0) - 1e-4) < 1e-9)
        #expect(abs(cosine.rate(atStep: 9) - 1e-3) < 1e-9)
        #expect(abs(cosine.rate(atStep: 10) - 1e-3) < 1e-9)
        #expect(abs(cosine.rate(atStep: 60) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-8)
        #expect(abs(cosine.rate(atStep: 500) - 1e-5) < 1e-9)
        let stepped = LearningRateSchedule(baseRate: 1, warmupSteps: 0, decay: .step(every: 10, factor: 0.5))
        #expect(stepped.rate(atStep: 9) == 1)
        #expect(stepped.rate(atStep: 25) == 0.25)
    }
}
