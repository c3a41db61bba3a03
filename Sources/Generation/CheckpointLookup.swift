// The one rule for finding the checkpoint a command loads (generate, stats, eval, compose):
// --checkpoint FILE as given; --checkpoint DIR means the run in it (best.safetensors, else
// last.safetensors); without --checkpoint, the bundled model (LoadedModel.bundledCandidates,
// next to the real executable). A file that is not a safetensors file is refused by saying
// what it is instead. A pure lookup over the paths the caller passes in; the file system is
// only asked whether files exist and what their first bytes are.
import FileSafety
import Foundation

public enum CheckpointLookupError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case emptyFolder(path: String)
    case notSafeTensors(path: String, kind: FileKind)
    case unreadable(path: String, reason: String)
    case noBundledModel(searched: [String])

    public var description: String {
        switch self {
        case .missing(let path): return "checkpoint \(path) does not exist"
        case .emptyFolder(let path):
            return "the folder \(path) holds no best.safetensors or last.safetensors (the files `cadenza train` writes)"
        case .notSafeTensors(let path, let kind):
            let what = kind == .unknown ? "it is not a safetensors file" : "this is \(kind), not a safetensors checkpoint"
            return "\(path): \(what); pass a .safetensors file written by `cadenza train`"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        case .noBundledModel(let searched):
            return "no bundled model found (looked for \(searched.joined(separator: ", "))); pass --checkpoint FILE"
        }
    }
}

public enum CheckpointLookup {
    /// The files of a training run a folder stands for, best first.
    public static let runFileNames = ["best.safetensors", "last.safetensors"]

    /// The checkpoint file to load: `given` (a file or a run's folder), else the bundled model.
    public static func resolve(_ given: String?, environment: [String: String], currentDirectory: URL,
                               executable: URL) throws -> URL {
        if let given {
            let url = try file(for: given)
            try checkIsSafeTensors(url)
            return url
        }
        let candidates = LoadedModel.bundledCandidates(environment: environment, currentDirectory: currentDirectory,
                                                       executable: executable)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw CheckpointLookupError.noBundledModel(searched: candidates.map(\.path))
        }
        try checkIsSafeTensors(found)
        return found
    }

    /// `path` itself, or for a folder its best.safetensors, else its last.safetensors.
    public static func file(for path: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointLookupError.missing(path: path)
        }
        let url = URL(fileURLWithPath: path)
        guard isDirectory.boolValue else { return url }
        for name in runFileNames {
            let candidate = url.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw CheckpointLookupError.emptyFolder(path: path)
    }

    /// Throws naming what the file is (a MIDI file, a text file, ...) unless it starts like a
    /// safetensors file; the checkpoint reader then checks the rest.
    public static func checkIsSafeTensors(_ url: URL) throws {
        do {
            _ = try InputFile.regularFileSize(atPath: url.path)
        } catch {
            throw CheckpointLookupError.unreadable(path: url.path, reason: "\(error)")
        }
        guard let kind = FileKind(contentsOf: url) else {
            throw CheckpointLookupError.unreadable(path: url.path, reason: "it cannot be opened")
        }
        guard kind == .safetensors else { throw CheckpointLookupError.notSafeTensors(path: url.path, kind: kind) }
    }

    /// The executable the bundled model is looked up next to: the running binary with its
    /// symlinks resolved (not argv[0], which is a bare name when found through PATH).
    public static func runningExecutable() -> URL {
        URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
    }
}
