// `--checkpoint FILE|DIR` for every command that loads a model (generate, stats, eval,
// compose): one spelling, one help text, one lookup (Generation.CheckpointLookup).
import ArgumentParsing
import Foundation
import Generation

enum CheckpointOption {
    static let spec = OptionSpec(
        "checkpoint", value: "FILE|DIR", defaultNote: "the bundled checkpoints/\(LoadedModel.bundledFileName)",
        help: "A .safetensors checkpoint written by `cadenza train`, or its save folder (best.safetensors, else last.safetensors)")

    /// The checkpoint file the options name, else the bundled model; a wrong path exits 1 saying why.
    static func resolve(_ arguments: ParsedArguments) throws -> URL {
        do {
            return try CheckpointLookup.resolve(
                arguments.string("checkpoint"), environment: ProcessInfo.processInfo.environment,
                currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                executable: CheckpointLookup.runningExecutable())
        } catch let error as CheckpointLookupError {
            throw CommandFailure(error.description)
        }
    }
}
