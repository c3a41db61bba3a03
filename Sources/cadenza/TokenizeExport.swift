// `cadenza tokenize --export OUT_DIR DATA_DIR... [--shard I/N] [--styles] [--val-split F]` and
// `cadenza tokenize --merge OUT_DIR`: token shards for the PyTorch trainer (train/torch/).
// Parsing and printing only; the work is Training.TokenExport and Training.ShardManifest.
import ArgumentParsing
import Foundation
import Training

enum TokenizeExport {
    static let options: [OptionSpec] = [
        OptionSpec("export", value: "OUT_DIR", help: "Write token shards of the folders DATA_DIR... into OUT_DIR"),
        OptionSpec("shard", value: "I/N", default: "0/1", help: "With --export: only part I of N (0 <= I < N), by a hash of each file's path"),
        OptionSpec("styles", help: "With --export: tag each file with its composer folder (as train --styles)"),
        OptionSpec("val-split", value: "F", default: "0.05", help: "With --export: fraction of files held out for validation (as train)"),
        OptionSpec("threads", value: "N", default: "2", help: "With --export: tokenizing threads"),
        OptionSpec("merge", value: "OUT_DIR", help: "Join the N parts exported into OUT_DIR (manifest.json)"),
    ]

    static let discussion = """
        --export writes tokens-I-of-N.safetensors and manifest-I-of-N.json; the whole corpus (no
        --shard) also writes manifest.json, the file the trainer reads. With --shard, run each part
        (on any machines), gather them in one folder and run --merge. Format: train/torch/README.md.
        """

    /// Runs --export or --merge; nil when neither was asked for.
    static func run(_ arguments: ParsedArguments) throws -> Int32? {
        let exportOnly = ["shard", "styles", "val-split", "threads"].filter { arguments.has($0) }
        if let directory = arguments.string("merge") {
            guard !arguments.has("export"), arguments.positionals.isEmpty, exportOnly.isEmpty else {
                throw CommandFailure("--merge OUT_DIR takes no other options or files", exitStatus: 2)
            }
            let merged: ShardManifest.Merged
            do { merged = try ShardManifest.merge(in: URL(fileURLWithPath: directory)) } catch let e as TrainingError {
                throw CommandFailure(e.description)
            }
            printSummary(merged, directory: directory)
            return 0
        }
        guard let output = arguments.string("export") else {
            if let first = exportOnly.first { throw CommandFailure("--\(first) needs --export OUT_DIR", exitStatus: 2) }
            return nil
        }
        guard !arguments.positionals.isEmpty else {
            throw CommandFailure("--export OUT_DIR needs one or more folders of MIDI files after it", exitStatus: 2)
        }
        var job = TokenExport(dataDirectories: arguments.positionals.map { URL(fileURLWithPath: $0) },
                              outputDirectory: URL(fileURLWithPath: output))
        do {
            job.selection = try ShardSelection(parsing: arguments.string("shard") ?? "0/1")
            job.validationFraction = try arguments.double("val-split")
            job.threads = try arguments.int("threads")
            guard job.validationFraction >= 0, job.validationFraction < 1 else { throw TrainingError.invalidOption("--val-split must be in [0, 1)") }
            guard (1...256).contains(job.threads) else { throw TrainingError.invalidOption("--threads must be between 1 and 256") }
        } catch let e as TrainingError {
            throw CommandFailure(e.description, exitStatus: 2)
        }
        job.styles = arguments.flag("styles")
        let start = DispatchTime.now().uptimeNanoseconds
        let summary: TokenExport.Summary
        do { summary = try job.run() } catch let e as TrainingError {
            throw CommandFailure(e.description)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        for s in summary.skipped { printError("warning: skipped \(s.path): \(s.reason)") }
        let rate = seconds > 0 ? String(format: "%.0f files/s, %.0f tokens/s", Double(summary.partFiles) / seconds, Double(summary.exportedTokens) / seconds) : ""
        print("part \(job.selection): \(summary.exportedFiles) of \(summary.partFiles) files exported (\(summary.exportedTokens) tokens)"
              + (summary.skipped.isEmpty ? "" : ", \(summary.skipped.count) skipped")
              + (summary.emptyFiles > 0 ? ", \(summary.emptyFiles) without notes" : "")
              + String(format: " in %.2f s: ", seconds) + rate)
        print("wrote \(summary.tokensFile.path) and \(summary.manifest.path)")
        if let merged = summary.merged {
            printSummary(merged, directory: output)
        } else {
            print("when all \(job.selection.count) parts are in \(output): cadenza tokenize --merge \(output)")
        }
        return 0
    }

    static func printSummary(_ m: ShardManifest.Merged, directory: String) {
        print("\(URL(fileURLWithPath: directory).appendingPathComponent(ShardManifest.mergedFileName).relativePath): \(m.shard_count) part\(m.shard_count == 1 ? "" : "s"), "
              + "\(m.corpus_files) files (\(m.training_files) training, \(m.training_tokens) tokens; "
              + "\(m.validation_files) validation, \(m.validation_tokens) tokens), \(m.skipped_files) skipped, corpus hash \(m.corpus_hash)")
    }
}
