// Writing a file atomically: bytes go to a hidden temporary file next to the target,
// which is renamed over it only when complete. A failed or interrupted write leaves
// the old file (if any) untouched and removes the temporary one.
import Foundation

final class AtomicFile {
    let url: URL
    let temporaryURL: URL
    private let handle: FileHandle
    private var finished = false

    init(url: URL) throws {
        self.url = url
        let dir = url.deletingLastPathComponent()
        temporaryURL = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryURL.path) else {
            throw SynthesisError.cannotWrite(path: url.path, reason: "cannot create a file in \(dir.path)")
        }
        handle = h
    }

    deinit {
        if !finished { discard() }
    }

    func write(_ bytes: [UInt8]) throws {
        do { try handle.write(contentsOf: bytes) } catch {
            throw SynthesisError.cannotWrite(path: url.path, reason: "\(error.localizedDescription)")
        }
    }

    func write(_ bytes: [UInt8], at offset: UInt64) throws {
        do {
            try handle.seek(toOffset: offset)
            try handle.write(contentsOf: bytes)
            try handle.seekToEnd()
        } catch {
            throw SynthesisError.cannotWrite(path: url.path, reason: "\(error.localizedDescription)")
        }
    }

    /// Flushes, closes and renames over the target.
    func commit() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            discard()
            throw SynthesisError.cannotWrite(path: url.path, reason: "\(error.localizedDescription)")
        }
        if rename(temporaryURL.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw SynthesisError.cannotWrite(path: url.path, reason: reason)
        }
        finished = true
    }

    func discard() {
        finished = true
        try? handle.close()
        try? FileManager.default.removeItem(at: temporaryURL)
    }
}
