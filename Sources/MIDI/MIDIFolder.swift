// The one rule for the MIDI files a folder stands for (info, tokenize --report, and the
// corpus of train, eval and stats): every .mid/.midi regular file under it, recursively
// (symlinks followed once), hidden files and folders skipped, sorted by relative path so
// every run sees the same order.
import Foundation

public struct FolderMIDIFile: Equatable, Sendable {
    public var url: URL
    /// Path below the folder, "/"-separated.
    public var relativePath: String
}

public enum MIDIFolder {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing, notAFolder, unlistable
        public var description: String {
            switch self {
            case .missing: return "no such folder"
            case .notAFolder: return "not a folder (give the folder that holds the MIDI files)"
            case .unlistable: return "cannot list the folder"
            }
        }
    }

    /// The MIDI files under `root`; throws `Failure` when it is not a folder that can be listed.
    public static func files(under root: URL) throws -> [FolderMIDIFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else { throw Failure.missing }
        guard isDirectory.boolValue else { throw Failure.notAFolder }
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(
            at: base, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw Failure.unlistable
        }
        var found: [FolderMIDIFile] = []
        let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
        for case let url as URL in walker {
            let ext = url.pathExtension.lowercased()
            guard ext == "mid" || ext == "midi" else { continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            found.append(FolderMIDIFile(url: url, relativePath: full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : url.lastPathComponent))
        }
        found.sort { $0.relativePath < $1.relativePath }
        return found
    }
}
