// `cadenza bench`: training tokens/s and sampling latency of the LSTM engine for one shape
// against the machine's sgemm peak, or (--regenerate) best-of-K regeneration batched against
// one candidate at a time on a real checkpoint; as a table or one JSON object. The measuring
// is Generation's EngineBenchmark and RegenerationBenchmark; this file parses and prints.
import ArgumentParsing
import Foundation
import Generation
import NN

enum BenchCommand: Subcommand {
    static let spec = CommandSpec(
        name: "bench", summary: "Measure LSTM training and sampling speed for one model shape",
        usage: "bench [--vocab V] [--embedding E] [--hidden H] [--layers L] [--batch-size B] [--seq-len T] [--threads N] [--json]\n       bench --regenerate [--checkpoint FILE] [--candidates K] [--threads N] [--json]",
        options: [
            OptionSpec("vocab", value: "V", default: "200", help: "Vocabulary size"),
            OptionSpec("embedding", value: "E", default: "256", help: "Embedding width"),
            OptionSpec("hidden", value: "H", default: "512", help: "LSTM hidden width"),
            OptionSpec("layers", value: "L", default: "2", help: "LSTM layers"),
            OptionSpec("dropout", value: "P", default: "0.1", help: "Dropout probability (as the PyTorch benchmark)"),
            OptionSpec("batch-size", value: "B", default: "64", help: "Sequences per training step"),
            OptionSpec("seq-len", value: "T", default: "128", help: "Tokens per sequence"),
            OptionSpec("threads", value: "N", default: "2", help: "Threads for matrix products"),
            OptionSpec("steps", value: "N", default: "7", help: "Timed training steps (after 3 warm-up steps)"),
            OptionSpec("sample-tokens", value: "N", default: "2000", help: "Timed sampling tokens (after 200 warm-up)"),
            OptionSpec("regenerate", help: "Time best-of-K regeneration of a bar, batched against one candidate at a time"),
            CheckpointOption.spec,
            OptionSpec("candidates", value: "K", default: "4", help: "Candidates per regenerated bar (--regenerate)"),
            OptionSpec("json", help: "Print one JSON object"),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        if arguments.flag("regenerate") { return try runRegeneration(arguments) }
        let cfg = LSTMConfiguration(
            vocabularySize: try arguments.int("vocab"), embeddingSize: try arguments.int("embedding"),
            hiddenSize: try arguments.int("hidden"), layers: try arguments.int("layers"),
            dropout: Float(try arguments.double("dropout")))
        guard cfg.isValid else { throw CommandFailure("sizes must be positive and dropout in [0, 1): \(cfg)") }
        let batch = try arguments.int("batch-size"), length = try arguments.int("seq-len")
        let threads = try arguments.int("threads")
        let steps = try arguments.int("steps"), tokens = try arguments.int("sample-tokens")
        guard batch > 0, length > 0, threads > 0, steps > 0, tokens > 0 else {
            throw CommandFailure("batch size, sequence length, threads, steps and sample tokens must be positive")
        }
        ComputeThreads.set(threads)
        var settings = BenchmarkSettings(configuration: cfg, batchSize: batch, sequenceLength: length)
        settings.timedSteps = steps
        settings.sampleTokens = tokens
        let r = EngineBenchmark.run(settings) { DispatchTime.now().uptimeNanoseconds }
        if arguments.flag("json") {
            var object: [String: Any] = [
                "vocab": cfg.vocabularySize, "embedding": cfg.embeddingSize, "hidden": cfg.hiddenSize,
                "layers": cfg.layers, "batch_size": batch, "seq_len": length, "threads": threads,
            ]
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
            object.merge(encoded) { a, _ in a }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("model V\(cfg.vocabularySize) E\(cfg.embeddingSize) H\(cfg.hiddenSize) L\(cfg.layers), batch \(batch)x\(length), \(threads) thread(s)")
            print(String(format: "train:  %10.0f tokens/s  %8.1f ms/step  %7.1f GFLOP/s", r.trainTokensPerSecond, r.trainMedianStepSeconds * 1e3, r.trainGFLOPs))
            print(String(format: "sample: %10.0f tokens/s  %8.1f µs/token (median)  %5.2f GFLOP/s", r.sampleTokensPerSecond, r.sampleMicrosecondsPerToken, r.sampleGFLOPs))
            print(String(format: "sample, weights rounded to F16 (%@ packs): %8.1f µs/token (median)", r.sampleF16Packs, r.sampleF16MicrosecondsPerToken))
            print(String(format: "sgemm peak: %.1f GFLOP/s (1024^3 on %d thread(s)); training at %.0f%% of it", r.sgemmPeakGFLOPs, threads, 100 * r.trainGFLOPs / r.sgemmPeakGFLOPs))
            print("BLAS: \(r.blas); recurrent kernel: \(r.recurrentKernel)")
            print("engine check, F32 weights: \(r.agreement.summary)")
            print("engine check, F16 weights: \(r.agreementF16.summary)")
        }
        return try verdict([r.agreement, r.agreementF16])
    }

    static func runRegeneration(_ arguments: ParsedArguments) throws -> Int32 {
        let threads = try arguments.int("threads"), k = try arguments.int("candidates")
        guard threads > 0, k > 0 else { throw CommandFailure("threads and candidates must be positive") }
        ComputeThreads.set(threads)
        let url = try CheckpointOption.resolve(arguments)
        let loaded: LoadedModel
        do { loaded = try LoadedModel.load(from: url) } catch { throw CommandFailure("\(error)") }
        let r = try RegenerationBenchmark.run(model: loaded.model, tokenizer: loaded.tokenizer, candidates: k) {
            DispatchTime.now().uptimeNanoseconds
        }
        if arguments.flag("json") {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
            object["speedup"] = r.speedup
            object["checkpoint"] = loaded.name
            object["threads"] = threads
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("best of \(k), \(loaded.name), \(r.regenerations) regenerations of inner bars of a \(r.bars)-bar piece (\(Int(r.meanFollowingTokens)) tokens re-fed after each), \(threads) thread(s)")
            print(String(format: "batched:    %8.1f ms (median)", r.batchedMedianSeconds * 1e3))
            print(String(format: "one by one: %8.1f ms (median)", r.sequentialMedianSeconds * 1e3))
            print(String(format: "speed-up:   %8.2fx", r.speedup))
            print(String(format: "the model alone: one stream %.1f µs a step, %d streams batched %.1f µs (%.2fx the work of one for %d)",
                         r.streamStepSeconds * 1e6, k, r.batchedStepSeconds * 1e6, r.batchedStepSeconds / r.streamStepSeconds, k))
            print("engine check: \(r.agreement.summary)")
        }
        return try verdict([r.agreement])
    }

    /// Exit status 0 when every engine check agrees; else the disagreement on standard error, 1.
    static func verdict(_ checks: [EngineAgreementReport]) throws -> Int32 {
        if let failed = checks.first(where: { !$0.agrees }) {
            throw CommandFailure("the engine disagrees with itself, so its timings mean nothing: \(failed.summary)")
        }
        return 0
    }
}
