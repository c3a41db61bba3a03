// `cadenza eval --checkpoint C (--data DIR | --tokens ids.json) [--json]`: held-out loss of a
// checkpoint (mean NLL per predicted token in nats, perplexity, per token kind) and speed.
// The work is in Training.SequenceEvaluation; this file parses, times and prints.
import ArgumentParsing
import Foundation
import Generation
import NN
import Tokenization
import Training

enum EvalCommand: Subcommand {
    static let spec = CommandSpec(
        name: "eval", summary: "Held-out loss (NLL, perplexity) and speed of a checkpoint",
        usage: "eval [--checkpoint FILE|DIR] (--data DIR | --tokens IDS.json) [--json]",
        options: [
            CheckpointOption.spec,
            OptionSpec("data", value: "DIR", help: "Evaluate every MIDI file under DIR, one sequence each (needs the checkpoint's vocabulary)"),
            OptionSpec("tokens", value: "FILE", help: "Evaluate token ids: a JSON array, or an array of arrays"),
            OptionSpec("batch-size", value: "N", default: "16", help: "Sequences evaluated in parallel"),
            OptionSpec("seq-len", value: "T", default: "128", help: "Time steps per forward pass"),
            OptionSpec("threads", value: "N", default: "2", help: "Threads for matrix products and tokenizing"),
            OptionSpec("json", help: "Print one JSON object"),
        ],
        requiredInputs: [["data"], ["tokens"]],
        discussion: """
        Each sequence predicts its tokens 2...n from the ones before, from a zero state.
        The checkpoint may use Cadenza's or PyTorch's tensor names (--tokens needs no vocabulary).
        Example: cadenza eval --checkpoint checkpoints/best.safetensors --data corpus/ --json
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let dataPath = arguments.string("data"), tokensPath = arguments.string("tokens")
        guard (dataPath == nil) != (tokensPath == nil) else { throw CommandFailure.usage("give exactly one of --data DIR and --tokens FILE") }
        let batchSize = try arguments.int("batch-size")
        let sequenceLength = try arguments.int("seq-len")
        let threads = try arguments.int("threads")
        guard batchSize >= 1, batchSize <= 4096 else { throw CommandFailure.usage("--batch-size must be between 1 and 4096") }
        guard sequenceLength >= 1, sequenceLength <= 65536 else { throw CommandFailure.usage("--seq-len must be between 1 and 65536") }
        guard threads >= 1, threads <= 256 else { throw CommandFailure.usage("--threads must be between 1 and 256") }
        ComputeThreads.set(threads)

        let checkpointURL = try CheckpointOption.resolve(arguments)
        let checkpointPath = checkpointURL.path
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.load(from: checkpointURL)
        } catch let e as CheckpointError {
            throw CommandFailure(e.description)
        }
        let vocabulary: Vocabulary?
        do {
            vocabulary = try checkpoint.metadata.vocabularyJSON.map { try Vocabulary(jsonString: $0) }
        } catch {
            throw CommandFailure("\(checkpointPath): its vocabulary cannot be read: \(error)")
        }
        if let v = vocabulary, v.count != checkpoint.model.configuration.vocabularySize {
            throw CommandFailure("\(checkpointPath): the vocabulary has \(v.count) tokens but the model \(checkpoint.model.configuration.vocabularySize)")
        }

        var sequences: [[Int]]
        var skipped: [SkippedFile] = []
        do {
            if let tokensPath {
                sequences = try TokenFile.read(URL(fileURLWithPath: tokensPath))
            } else {
                guard let vocabulary else { throw TrainingError.noVocabulary(path: checkpointPath) }
                let corpus = try CorpusLoader.load(URL(fileURLWithPath: dataPath!), tokenizer: Tokenizer(vocabulary: vocabulary), threads: threads).corpus
                skipped = corpus.skipped
                for file in skipped { printError("warning: skipped \(file.relativePath): \(file.reason)") }
                sequences = corpus.files.map { $0.tokens.map(Int.init) }
            }
        } catch let e as TrainingError {
            throw CommandFailure(e.description)
        }

        let start = DispatchTime.now().uptimeNanoseconds
        let result: EvaluationResult
        do {
            result = try SequenceEvaluation.evaluate(
                model: checkpoint.model, sequences: sequences, vocabulary: vocabulary,
                batchSize: batchSize, sequenceLength: sequenceLength)
            try result.checkFinite(checkpoint: checkpointPath)
        } catch let e as TrainingError {
            throw CommandFailure(e.description)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let tokensPerSecond = seconds > 0 ? Double(result.predictions) / seconds : 0
        guard result.predictions > 0 else { throw CommandFailure("nothing to predict: every sequence has fewer than 2 tokens") }

        let c = checkpoint.model.configuration
        if arguments.flag("json") {
            var object: [String: Any] = [
                "checkpoint": checkpointPath, "V": c.vocabularySize, "E": c.embeddingSize, "H": c.hiddenSize, "L": c.layers,
                "dtype": checkpoint.storedDType.rawValue, "mean_nll": result.meanNLL, "perplexity": result.perplexity,
                "num_predictions": result.predictions, "num_sequences": result.sequences,
                "tokens_per_s": tokensPerSecond, "seconds": seconds, "skipped_files": skipped.count,
            ]
            if !result.byKind.isEmpty {
                object["nll_by_kind"] = result.byKind.mapValues { ["mean_nll": $0.sum / Double($0.count), "count": $0.count] as [String: Any] }
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("checkpoint   \(checkpointPath) (V=\(c.vocabularySize) E=\(c.embeddingSize) H=\(c.hiddenSize) L=\(c.layers), \(checkpoint.storedDType.rawValue))")
            print("sequences    \(result.sequences), \(result.predictions) predictions" + (skipped.isEmpty ? "" : ", \(skipped.count) files skipped"))
            print(String(format: "mean NLL     %.4f nats/token (perplexity %.3f)", result.meanNLL, result.perplexity))
            for kind in result.byKind.keys.sorted() {
                let k = result.byKind[kind]!
                print(String(format: "  %-15@ %.4f  (%d)", kind as NSString, k.sum / Double(k.count), k.count))
            }
            print(String(format: "speed        %.0f tokens/s (%.2f s)", tokensPerSecond, seconds))
        }
        return 0
    }
}
