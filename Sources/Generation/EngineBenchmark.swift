// `cadenza bench`'s measurements: training tokens/s (median step after warm-up; a step is
// forward, backward, clipping and Adam, as in ../shared/bench/torch_lstm_bench.py) and
// single-stream sampling latency (one token: LSTM step, then the Sampler that generation uses,
// drawing from the whole distribution as the PyTorch script does), on the model's F32 weights
// and again on them rounded to F16 (which inference streams as F16). The clock is injected
// (nanoseconds), so this file reads no time itself; FLOPs are counted as that script does.
import NN

public struct BenchmarkSettings: Sendable {
    public var configuration: LSTMConfiguration
    public var batchSize: Int
    public var sequenceLength: Int
    public var warmupSteps = 3
    public var timedSteps = 7
    public var sampleWarmupTokens = 200
    public var sampleTokens = 2000
    public var seed: UInt64 = 0

    public init(configuration: LSTMConfiguration, batchSize: Int, sequenceLength: Int) {
        self.configuration = configuration
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
    }
}

public struct BenchmarkResult: Codable, Sendable {
    public var trainTokensPerSecond: Double
    public var trainMedianStepSeconds: Double
    public var trainGFLOPs: Double
    public var trainFinalLoss: Float
    public var sampleMicrosecondsPerToken: Double
    public var sampleTokensPerSecond: Double
    public var sampleGFLOPs: Double
    /// Sampling latency with the model's weights rounded to F16 (as a --dtype f16 checkpoint
    /// holds them), and the packs inference chose for them ("f16").
    public var sampleF16MicrosecondsPerToken: Double
    public var sampleF16Packs: String
    public var forwardFLOPsPerToken: Double
    /// The sgemm peak of this machine measured in the same run (BLASPeak), GFLOP/s.
    public var sgemmPeakGFLOPs: Double
    /// The BLAS and its kernel, and the recurrent kernel's instruction set.
    public var blas: String
    public var recurrentKernel: String
    /// The engine checked against itself (EngineAgreement) on the F32 model, then on its
    /// weights rounded to F16: a speed measured on wrong results would mean nothing.
    public var agreement: EngineAgreementReport
    public var agreementF16: EngineAgreementReport

    enum CodingKeys: String, CodingKey {
        case trainTokensPerSecond = "train_tokens_per_s"
        case trainMedianStepSeconds = "train_median_step_s"
        case trainGFLOPs = "train_gflops"
        case trainFinalLoss = "train_final_loss"
        case sampleMicrosecondsPerToken = "sample_us_per_token"
        case sampleTokensPerSecond = "sample_tokens_per_s"
        case sampleGFLOPs = "sample_gflops"
        case sampleF16MicrosecondsPerToken = "sample_f16_us_per_token"
        case sampleF16Packs = "sample_f16_packs"
        case forwardFLOPsPerToken = "forward_flops_per_token"
        case sgemmPeakGFLOPs = "sgemm_peak_gflops"
        case blas
        case recurrentKernel = "recurrent_kernel"
        case agreement = "engine_check"
        case agreementF16 = "engine_check_f16"
    }
}

public enum EngineBenchmark {
    /// Runs the sgemm peak, training and sampling measurements. `nanoseconds` is a monotonic clock.
    /// Threads: ComputeThreads.current, for the peak as for the engine.
    public static func run(_ s: BenchmarkSettings, nanoseconds: () -> UInt64) -> BenchmarkResult {
        let peak = BLASPeak.measure(threads: ComputeThreads.current, nanoseconds: nanoseconds)
        let cfg = s.configuration
        let model = LSTMModel(configuration: cfg, seed: s.seed)
        var rng = SplitMix64(seed: s.seed &+ 1)
        let n = s.batchSize * s.sequenceLength

        // Training: random tokens, fresh each step like the PyTorch script.
        let trainer = LSTMTrainer(model: model, batchSize: s.batchSize, sequenceLength: s.sequenceLength, seed: s.seed &+ 2)
        var stepSeconds: [Double] = []
        var loss: Float = 0
        let V = UInt64(cfg.vocabularySize)
        var inputs = [Int32](repeating: 0, count: n), targets = inputs
        for i in 0..<(s.warmupSteps + s.timedSteps) {
            for j in 0..<n {
                inputs[j] = Int32(rng.next() % V)
                targets[j] = Int32(rng.next() % V)
            }
            let start = nanoseconds()
            loss = trainer.trainStep(inputs: inputs, targets: targets, learningRate: 1e-3)
            let end = nanoseconds()
            if i >= s.warmupSteps { stepSeconds.append(Double(end - start) * 1e-9) }
        }
        let step = median(stepSeconds)
        let trainFLOPs = 3 * cfg.forwardFLOPsPerToken * Double(n)

        let single = sampleLatency(LSTMInference(model: model), s, nanoseconds: nanoseconds)
        let agreement = EngineAgreement.check(model: model)
        // The same model's weights rounded to F16, as `cadenza train --dtype f16` saves them (the
        // bundled model is): inference streams them as F16.
        model.roundParameters(as: .f16)
        let halfInference = LSTMInference(model: model)
        let half = sampleLatency(halfInference, s, nanoseconds: nanoseconds)
        let agreementF16 = EngineAgreement.check(model: model)
        return BenchmarkResult(
            trainTokensPerSecond: Double(n) / step, trainMedianStepSeconds: step, trainGFLOPs: trainFLOPs / step * 1e-9,
            trainFinalLoss: loss, sampleMicrosecondsPerToken: single.perToken,
            sampleTokensPerSecond: single.tokensPerSecond,
            sampleGFLOPs: cfg.forwardFLOPsPerToken / (single.perToken * 1e-6) * 1e-9,
            sampleF16MicrosecondsPerToken: half.perToken, sampleF16Packs: halfInference.recurrentPrecision,
            forwardFLOPsPerToken: cfg.forwardFLOPsPerToken, sgemmPeakGFLOPs: peak,
            blas: ComputeThreads.blasDescription, recurrentKernel: RecurrentKernel.instructionSet,
            agreement: agreement, agreementF16: agreementF16)
    }

    /// Sampling one token at a time, drawn by generation's Sampler (every token allowed) at
    /// temperature 1 from the whole distribution, as the PyTorch script draws (softmax and
    /// multinomial): the composer's default top-p 0.95 adds a sort of the vocabulary. The
    /// median µs per token (LSTM step and draw), and tokens/s over the timed tokens.
    static func sampleLatency(_ inference: LSTMInference, _ s: BenchmarkSettings, nanoseconds: () -> UInt64)
        -> (perToken: Double, tokensPerSecond: Double)
    {
        let V = s.configuration.vocabularySize
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: V)
        let allowed = [Bool](repeating: true, count: V)
        var sampler = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0))
        var generator = SeededGenerator(seed: s.seed &+ 3)
        var latencies: [Double] = []
        latencies.reserveCapacity(s.sampleTokens)
        var token = 0
        var totalStart: UInt64 = 0
        logits.withUnsafeMutableBufferPointer { logits in
            allowed.withUnsafeBufferPointer { allowed in
                for i in 0..<(s.sampleWarmupTokens + s.sampleTokens) {
                    if i == s.sampleWarmupTokens { totalStart = nanoseconds() }
                    let start = nanoseconds()
                    inference.step(token: token, state: &state, logits: logits)
                    // A random model's logits are finite; were one not, the next token is 0.
                    token = sampler.sample(logits: UnsafeBufferPointer(logits), allowed: allowed, using: &generator)?.token ?? 0
                    let end = nanoseconds()
                    if i >= s.sampleWarmupTokens { latencies.append(Double(end - start) * 1e-3) }
                }
            }
        }
        let total = Double(nanoseconds() - totalStart) * 1e-9
        return (median(latencies), Double(s.sampleTokens) / total)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
