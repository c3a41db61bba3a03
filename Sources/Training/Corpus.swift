// Finding a corpus: every .mid/.midi file under a folder (recursively, symlinks followed
// once, hidden files skipped), sorted by relative path so runs are reproducible. A file's
// style (composer) is the first folder under the corpus root, as in corpus/<composer>/x.mid.
import Foundation

public struct CorpusFile: Equatable, Sendable {
    public var url: URL
    /// Path below the corpus root, "/"-separated.
    public var relativePath: String
    /// The first folder under the root, or nil for a file directly in it.
    public var style: String?
}

public enum CorpusDiscovery {
    public static func files(under root: URL) throws -> [CorpusFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw TrainingError.io(path: root.path, detail: "no such folder")
        }
        guard isDirectory.boolValue else { throw TrainingError.io(path: root.path, detail: "not a folder (give the folder that holds the MIDI files)") }
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(
            at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw TrainingError.io(path: root.path, detail: "cannot list the folder")
        }
        var found: [CorpusFile] = []
        let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
        for case let url as URL in walker {
            let ext = url.pathExtension.lowercased()
            guard ext == "mid" || ext == "midi" else { continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            let relative = full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : url.lastPathComponent
            let parts = relative.split(separator: "/")
            found.append(CorpusFile(url: url, relativePath: relative, style: parts.count > 1 ? String(parts[0]) : nil))
        }
        found.sort { $0.relativePath < $1.relativePath }
        return found
    }
}
