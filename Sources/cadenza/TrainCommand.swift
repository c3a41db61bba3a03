// `cadenza train --data DIR ...`: parses options, shows progress (a bar on a terminal, plain
// lines otherwise), turns Ctrl-C into "finish the step, save, exit 130", and prints where the
// checkpoints went. The loop itself is Training.TrainingRun.
import ArgumentParsing
import FileSafety
import Foundation
import NN
import Training
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum TrainCommand: Subcommand {
    /// The run's defaults, the library's.
    private static let d = TrainingOptions.defaults

    static let spec = CommandSpec(
        name: "train", summary: "Train an LSTM on every MIDI file under a folder",
        usage: "train --data DIR [--epochs N] [--batch-size B] [--save-dir DIR] [options] | train --resume DIR/last.safetensors [--max-minutes M]",
        options: [
            OptionSpec("data", value: "DIR", defaultNote: "with --resume, the folder the run was trained on", help: "Folder of .mid/.midi files, searched recursively"),
            OptionSpec("epochs", value: "N", default: String(d.epochs), help: "Passes over the training files"),
            OptionSpec("batch-size", value: "B", default: String(d.batchSize), help: "Parallel token streams per step"),
            OptionSpec("seq-len", value: "T", default: String(d.sequenceLength), help: "Time steps per step (truncated BPTT; state carries over)"),
            OptionSpec("embedding", value: "E", default: String(d.embeddingSize), help: "Embedding width"),
            OptionSpec("hidden", value: "H", default: String(d.hiddenSize), help: "LSTM width"),
            OptionSpec("layers", value: "L", default: String(d.layers), help: "Stacked LSTM layers"),
            OptionSpec("dropout", value: "P", default: String(d.dropout), help: "Dropout between layers and before the head"),
            OptionSpec("lr", value: "RATE", default: String(d.learningRate), help: "Adam learning rate (warm-up, then cosine decay to a tenth)"),
            OptionSpec("weight-decay", value: "W", default: String(d.weightDecay), help: "Decoupled weight decay (AdamW)"),
            OptionSpec("clip", value: "NORM", default: String(d.clipNorm), help: "Gradient-norm clipping (0 = off)"),
            OptionSpec("val-split", value: "F", default: String(d.validationSplit), help: "Fraction of files held out for validation"),
            OptionSpec("augment-transpose", value: "K", default: String(d.augmentTranspose), help: "Transpose each file by up to ±K semitones per epoch"),
            OptionSpec("seed", value: "N", default: String(d.seed), help: "Seed for initialisation, dropout, order and augmentation"),
            OptionSpec("threads", value: "N", default: String(d.threads), help: "Threads for matrix products and tokenizing"),
            OptionSpec("save-dir", value: "DIR", defaultNote: "checkpoints/; with --resume, the checkpoint's folder", help: "Where checkpoints, the log and the token cache go"),
            OptionSpec("resume", value: "FILE", help: "Continue a run from its last.safetensors (needs last.optim.safetensors), with its data folder and settings"),
            OptionSpec("force", help: "Start a new run in a save folder that holds one, replacing its checkpoints"),
            OptionSpec("max-minutes", value: "M", help: "Stop (and save) after M minutes"),
            OptionSpec("styles", help: "Tag each file with its composer (the folder under DIR) as a STYLE token"),
            OptionSpec("dtype", value: "f32|f16|bf16", default: "f32", help: "Storage type of the saved weights"),
            OptionSpec("warmup", value: "STEPS", help: "Learning-rate warm-up steps (default: 2% of the run, at most 500)"),
        ],
        requiredInputs: [["data"], ["resume"]],
        discussion: """
        Writes last.safetensors (+ last.optim.safetensors for --resume) every epoch, best.safetensors
        at the best validation loss, and training-log.csv, into the save folder. Ctrl-C finishes the
        current step, saves and exits 130. A new run refuses a save folder that already holds
        one (unless --resume or --force). At the end the best validation loss is compared with
        the add-one bigram's on the same files. --batch_size and --save_dir are accepted too.
        Example: cadenza train --data corpus/ --epochs 20 --save-dir runs/a
                 cadenza train --resume runs/a/last.safetensors --max-minutes 30
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let resume = arguments.string("resume").map { URL(fileURLWithPath: $0) }
        var o = TrainingOptions(dataDirectory: arguments.string("data").map { URL(fileURLWithPath: $0) })
        // A resumed run goes on writing where it was written.
        o.saveDirectory = arguments.string("save-dir").map { URL(fileURLWithPath: $0) }
            ?? resume?.deletingLastPathComponent() ?? URL(fileURLWithPath: "checkpoints")
        o.force = arguments.flag("force")
        o.epochsGiven = arguments.has("epochs")
        o.epochs = try arguments.int("epochs")
        o.batchSize = try arguments.int("batch-size")
        o.sequenceLength = try arguments.int("seq-len")
        o.embeddingSize = try arguments.int("embedding")
        o.hiddenSize = try arguments.int("hidden")
        o.layers = try arguments.int("layers")
        o.dropout = Float(try arguments.double("dropout"))
        o.learningRate = Float(try arguments.double("lr"))
        o.weightDecay = Float(try arguments.double("weight-decay"))
        o.clipNorm = Float(try arguments.double("clip"))
        o.validationSplit = try arguments.double("val-split")
        o.augmentTranspose = try arguments.int("augment-transpose")
        let seed = try arguments.int("seed")
        guard seed >= 0 else { throw CommandFailure.usage("--seed must be 0 or positive") }
        o.seed = UInt64(seed)
        o.threads = try arguments.int("threads")
        o.resume = resume
        o.maxMinutes = try arguments.optionalDouble("max-minutes")
        o.styles = arguments.flag("styles")
        o.warmupSteps = try arguments.optionalInt("warmup")
        if let d = arguments.string("dtype") {
            guard let dtype = SafeTensorsDType.parseStorage(d) else { throw CommandFailure.usage("--dtype must be f32, f16 or bf16, not '\(d)'") }
            o.checkpointDType = dtype
        }
        o.createdBy = "cadenza \(version)"
        do { try o.validate() } catch let e as TrainingError { throw CommandFailure.usage(e.description) }

        // Ctrl-C finishes the step and saves; a second one does not wait, but leaves no temporary file.
        let interrupt = SignalFlag()
        interrupt.install([SIGINT], secondSignalExits: true)
        let progress = TrainingProgress(isTerminal: isatty(STDERR_FILENO) == 1)
        let run = TrainingRun(
            options: o, clock: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
            shouldStop: { interrupt.isSet }, onEvent: progress.handle)
        let outcome: TrainingOutcome
        do {
            outcome = try run.run()
        } catch let e as TrainingError {
            progress.endLine()
            throw CommandFailure(e.description, exitStatus: e.isUsageError ? ExitStatus.usage : ExitStatus.failure)
        }
        progress.endLine()
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1_048_576
        #endif
        let best = outcome.bestValidationLoss.map { String(format: ", best validation loss %.4f", $0) } ?? ""
        let summary = "\(outcome.globalStep) steps, \(outcome.tokensSeen) tokens\(best), peak memory \(String(format: "%.0f", peakMiB)) MiB"
        switch outcome.reason {
        case .diverged(let message):
            printError("cadenza train: stopped: \(message)")
            if let last = outcome.lastCheckpoint { printError("the last good checkpoint is \(last.path)") }
            return 1
        case .interrupted, .timeLimit, .finished:
            let why = outcome.reason == .finished ? "finished" : outcome.reason == .timeLimit ? "time limit reached, saved" : "interrupted, saved"
            printError("\(why): \(summary)")
            if let bigram = outcome.bigramValidationLoss {
                printError(String(format: "add-one bigram on the same validation files: %.4f%@", bigram, outcome.isWorseThanBigram ? " (better than the model)" : ""))
            }
            if let best = outcome.bestCheckpoint { printError("best checkpoint: \(best.path)") }
            // stdout names the checkpoint stderr ends on: the one --resume continues from.
            if let last = outcome.lastCheckpoint {
                printError("last checkpoint: \(last.path)")
                print(last.path)
            }
            return outcome.reason == .interrupted ? ExitStatus.interrupted : ExitStatus.success
        }
    }
}

/// Turns training events into a progress bar (terminal) or plain log lines.
final class TrainingProgress {
    let isTerminal: Bool
    private var lastDraw = 0.0
    private var onBar = false

    init(isTerminal: Bool) { self.isTerminal = isTerminal }

    func handle(_ event: TrainingEvent) {
        switch event {
        case .discovered(let n):
            line("found \(n) MIDI files")
        case .tokenizing(let done, let total):
            if isTerminal && (done == total || done % 16 == 0) { bar("tokenizing \(done)/\(total)") }
        case .skipped(let path, let reason):
            line("warning: skipped \(path): \(reason)")
        case .corpusReady(let tf, let vf, let tt, let vt, let hits, let skipped):
            line("corpus: \(tf) training files (\(tt) tokens), \(vf) validation files (\(vt) tokens); \(hits) from the token cache"
                 + (skipped > 0 ? "; \(skipped) files skipped" : ""))
        case .modelReady(let c, let p, let steps, let total):
            line("model: V=\(c.vocabularySize) E=\(c.embeddingSize) H=\(c.hiddenSize) L=\(c.layers), \(p) parameters; \(steps) steps per epoch, \(total) in all")
        case .resumed(let path, let epoch, let step):
            line("resumed from \(path) at epoch \(epoch + 1), step \(step)")
        case .step(let r):
            let text = String(format: "epoch %d/%d  step %d/%d  loss %.4f  %.0f tok/s  lr %.2e  ETA %@",
                              r.epoch + 1, r.epochs, r.stepInEpoch, r.stepsPerEpoch, r.loss, r.tokensPerSecond, r.learningRate,
                              Self.duration(r.etaSeconds) as NSString)
            if isTerminal {
                let now = r.elapsedSeconds
                if now - lastDraw >= 0.2 || r.stepInEpoch == r.stepsPerEpoch {
                    lastDraw = now
                    let width = 20
                    let filled = r.stepsPerEpoch > 0 ? width * r.stepInEpoch / r.stepsPerEpoch : 0
                    bar("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] " + text)
                }
            } else {
                let every = max(1, r.stepsPerEpoch / 10)
                if r.stepInEpoch % every == 0 || r.stepInEpoch == r.stepsPerEpoch || r.globalStep == 1 { line(text) }
            }
        case .validated(let epoch, let loss, let best):
            line(String(format: "epoch %d: validation loss %.4f (perplexity %.2f)%@", epoch, loss, exp(loss), best ? " best so far" : ""))
        case .saved(let path):
            line("saved \(path)")
        case .removedStaleFiles(let paths):
            line("removed \(paths.count) temporary file\(paths.count == 1 ? "" : "s") left by an interrupted save: "
                 + paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))
        case .warning(let message):
            line("warning: \(message)")
        }
    }

    private func bar(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        onBar = true
    }

    private func line(_ text: String) {
        if onBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); onBar = false }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func endLine() {
        if onBar { FileHandle.standardError.write(Data("\n".utf8)); onBar = false }
    }

    static func duration(_ seconds: Double?) -> String {
        guard let s = seconds, s.isFinite, s >= 0 else { return "--" }
        let total = Int(s)
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }
}
