// `cadenza bench`: training tokens/s and sampling latency of the LSTM engine for one shape,
// as a table or one JSON object. The measuring is NN's Benchmark; this file parses and prints.
import ArgumentParsing
import Foundation
import NN

enum BenchCommand: Subcommand {
    static let spec = CommandSpec(
        name: "bench", summary: "Measure LSTM training and sampling speed for one model shape",
        usage: "bench [--vocab V] [--embedding E] [--hidden H] [--layers L] [--batch-size B] [--seq-len T] [--threads N] [--json]",
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
            OptionSpec("json", help: "Print one JSON object"),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
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
        let r = Benchmark.run(settings) { DispatchTime.now().uptimeNanoseconds }
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
        }
        return 0
    }
}
