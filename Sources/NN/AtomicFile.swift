// Atomic file replacement: write a temporary file in the destination's folder, flush it to
// disk, then rename it over the destination, so a reader never sees a half-written file and
// a crash leaves either the old file or the new one. And atomic creation under a fresh
// name (`writeNew`): the complete temporary file is hard-linked to the name, which fails
// when the name exists, so two writers racing for one name never overwrite each other.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct AtomicFileError: Error, CustomStringConvertible {
    public var description: String
}

public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let temporary = try writeTemporary(data, nextTo: url.path)
        if rename(temporary, url.path) != 0 {
            let failure = errorText()
            unlink(temporary)
            throw AtomicFileError(description: failure)
        }
    }

    /// Writes `data` under the first of `paths` (all in one folder) that does not exist yet,
    /// and returns that path. Claiming the name is atomic: no other writer can get it too,
    /// and the file appears complete.
    public static func writeNew<Paths: Sequence>(_ data: Data, toFirstFreeOf paths: Paths) throws -> String where Paths.Element == String {
        var temporary: String?
        defer { if let temporary { unlink(temporary) } }
        for path in paths {
            if temporary == nil { temporary = try writeTemporary(data, nextTo: path) }
            if link(temporary!, path) == 0 { return path }
            if errno == EEXIST { continue }
            guard [EPERM, EOPNOTSUPP, EXDEV, EMLINK].contains(errno) else {
                throw AtomicFileError(description: "cannot create \(path): \(errorText())")
            }
            // A file system without hard links: claim the name with O_EXCL, then fill it.
            if try writeExclusive(data, to: path) { return path }
        }
        throw AtomicFileError(description: "every candidate name is taken")
    }

    /// A complete, flushed temporary file in the folder of `path`; returns its path.
    private static func writeTemporary(_ data: Data, nextTo path: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw AtomicFileError(description: "cannot create \(temporary): \(errorText())") }
        if let failure = writeAll(data, to: fd) {
            unlink(temporary)
            throw AtomicFileError(description: failure)
        }
        return temporary
    }

    /// Creates `path` only if it does not exist and writes `data` into it; false when it existed.
    private static func writeExclusive(_ data: Data, to path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 && errno == EEXIST { return false }
        guard fd >= 0 else { throw AtomicFileError(description: "cannot create \(path): \(errorText())") }
        if let failure = writeAll(data, to: fd) {
            unlink(path)
            throw AtomicFileError(description: failure)
        }
        return true
    }

    /// Writes every byte, flushes and closes `fd`; the error text on failure.
    private static func writeAll(_ data: Data, to fd: Int32) -> String? {
        var failure: String?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errorText()
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = errorText() }
        if close(fd) != 0 && failure == nil { failure = errorText() }
        return failure
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
