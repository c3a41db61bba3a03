// Finding a corpus: the MIDI files under a folder (MIDIFolder's rule: recursive, hidden
// files skipped, sorted by relative path so runs are reproducible). A file's style
// (composer) is the first folder under the corpus root, as in corpus/<composer>/x.mid.
import Foundation
import MIDI

public struct CorpusFile: Equatable, Sendable {
    public var url: URL
    /// Path below the corpus root, "/"-separated.
    public var relativePath: String
    /// The first folder under the root, or nil for a file directly in it.
    public var style: String?
}

public enum CorpusDiscovery {
    /// The corpus files under `root` (MIDIFolder's rule), each with its style.
    public static func files(under root: URL) throws -> [CorpusFile] {
        let found: [FolderMIDIFile]
        do { found = try MIDIFolder.files(under: root) } catch let failure as MIDIFolder.Failure {
            throw TrainingError.io(path: root.path, detail: failure.description)
        }
        return found.map { file in
            let parts = file.relativePath.split(separator: "/")
            return CorpusFile(url: file.url, relativePath: file.relativePath, style: parts.count > 1 ? String(parts[0]) : nil)
        }
    }
}
