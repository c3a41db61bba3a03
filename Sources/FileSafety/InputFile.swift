// The one rule for opening a file the user names as input (a MIDI file, a checkpoint, a
// SoundFont, a theme): it must be a regular file once symlinks are followed. A FIFO or a
// device (/dev/zero) could block or be read forever, and a size read from a symlink
// itself says nothing about what it points to. Checked with stat(2) before any open.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum InputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing
    case directory
    case notRegular
    /// stat(2) failed for another reason (strerror's text, e.g. "Permission denied").
    case unreadable(String)

    public var description: String {
        switch self {
        case .missing: return "no such file"
        case .directory: return "is a directory"
        case .notRegular: return "is not a regular file"
        case .unreadable(let reason): return reason
        }
    }
}

public enum InputFile {
    /// The size in bytes of the regular file at `path` (symlinks followed), or the reason
    /// it cannot be an input file.
    public static func regularFileSize(atPath path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw InputFileError.missing }
            throw InputFileError.unreadable(String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return Int(info.st_size)
        case S_IFDIR: throw InputFileError.directory
        default: throw InputFileError.notRegular
        }
    }
}
