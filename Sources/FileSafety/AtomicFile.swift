// Atomic file replacement: write a temporary file in the destination's folder, flush it to
// disk, then rename it over the destination, so a reader never sees a half-written file and
// a crash leaves either the old file or the new one. And atomic creation under a fresh
// name (`writeNew`): the complete temporary file is hard-linked to the name, which fails
// when the name exists, so two writers racing for one name never overwrite each other.
// `AtomicFileWriter` streams a file too big to hold in memory (rendered audio) the same way.
// Temporary names come from TemporaryFiles; errors keep the system's reason (strerror).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written: the target and the system's reason, as strerror says it.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "cannot write \(path): \(reason)" }
}

public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let writer = try AtomicFileWriter(path: url.path)
        try writer.write(data)
        try writer.commit()
    }

    /// Writes `data` under the first of `paths` (all in one folder) that does not exist yet,
    /// and returns that path. Claiming the name is atomic: no other writer can get it too,
    /// and the file appears complete.
    public static func writeNew<Paths: Sequence>(_ data: Data, toFirstFreeOf paths: Paths) throws -> String where Paths.Element == String {
        var temporary: AtomicFileWriter?
        defer { temporary?.discard() }
        var tried = ""
        for path in paths {
            tried = path
            if temporary == nil {
                let writer = try AtomicFileWriter(path: path)
                try writer.write(data)
                try writer.flushAndClose()
                temporary = writer
            }
            if link(temporary!.temporaryPath, path) == 0 { return path }
            if errno == EEXIST { continue }
            guard [EPERM, EOPNOTSUPP, EXDEV, EMLINK].contains(errno) else {
                throw AtomicFileError(path: path, reason: errorText())
            }
            // A file system without hard links: claim the name with O_EXCL, then fill it.
            if try writeExclusive(data, to: path) { return path }
        }
        throw AtomicFileError(path: tried, reason: "every candidate name is taken")
    }

    /// Creates `path` only if it does not exist and writes `data` into it; false when it existed.
    private static func writeExclusive(_ data: Data, to path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 && errno == EEXIST { return false }
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: errorText()) }
        var failure = writeAll(data, to: fd)
        if failure == nil && fsync(fd) != 0 { failure = errorText() }
        if close(fd) != 0 && failure == nil { failure = errorText() }
        if let failure {
            unlink(path)
            throw AtomicFileError(path: path, reason: failure)
        }
        return true
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// Writes every byte to `fd`; the error text on failure.
func writeAll(_ data: Data, to fd: Int32) -> String? {
    data.withUnsafeBytes { writeAll($0, to: fd) }
}

func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32) -> String? {
    var offset = 0
    while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return AtomicFile.errorText()
        }
        offset += n
    }
    return nil
}

/// A file written piece by piece into a temporary file next to `path`, renamed over it by
/// `commit`. Dropped or discarded without a commit, it leaves nothing behind.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private var fd: Int32
    private let slot: Int?
    private var finished = false

    public init(path: String) throws {
        self.path = path
        // The rename would replace whatever is there: a device or a FIFO (-o /dev/null run
        // as root) must stay, and a folder cannot be replaced.
        var info = stat()
        if lstat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG, S_IFLNK: break
            case S_IFDIR: throw AtomicFileError(path: path, reason: "is a directory")
            default: throw AtomicFileError(path: path, reason: "is not a regular file")
            }
        }
        temporaryPath = TemporaryFiles.path(nextTo: path)
        slot = TemporaryFiles.register(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else {
            let reason = AtomicFile.errorText()
            TemporaryFiles.unregister(slot)
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            throw AtomicFileError(path: path, reason: "cannot create a file in \(folder): \(reason)")
        }
    }

    deinit { if !finished { discard() } }

    public func write(_ data: Data) throws {
        if let failure = writeAll(data, to: fd) { throw fail(failure) }
    }

    public func write(_ bytes: [UInt8]) throws {
        if let failure = bytes.withUnsafeBytes({ writeAll($0, to: fd) }) { throw fail(failure) }
    }

    /// Overwrites bytes at `offset` (a header whose sizes are known only at the end).
    public func write(_ bytes: [UInt8], at offset: Int) throws {
        let end = lseek(fd, 0, SEEK_CUR)
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw fail(AtomicFile.errorText()) }
        try write(bytes)
        guard lseek(fd, end, SEEK_SET) >= 0 else { throw fail(AtomicFile.errorText()) }
    }

    /// Flushes, closes and renames over the target.
    public func commit() throws {
        try flushAndClose()
        if rename(temporaryPath, path) != 0 { throw fail(AtomicFile.errorText()) }
        finished = true
        TemporaryFiles.unregister(slot)
    }

    /// Removes the temporary file.
    public func discard() {
        guard !finished else { return }
        finished = true
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporaryPath)
        TemporaryFiles.unregister(slot)
    }

    /// Flushes and closes the temporary file without renaming it (for a program that reads
    /// it there); `discard` or the end of this object removes it.
    public func flushAndClose() throws {
        guard fd >= 0 else { return }
        if fsync(fd) != 0 { throw fail(AtomicFile.errorText()) }
        let closed = close(fd)
        fd = -1
        if closed != 0 { throw fail(AtomicFile.errorText()) }
    }

    /// Discards the temporary file and returns the error naming the target.
    private func fail(_ reason: String) -> AtomicFileError {
        discard()
        return AtomicFileError(path: path, reason: reason)
    }
}
