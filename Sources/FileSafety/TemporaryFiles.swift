// The temporary files of atomic writes: one naming pattern, `.NAME.PID.RANDOM.tmp` next to
// the target, so that whatever is left behind can be recognised as ours and as stale (its
// writer is gone). A file being written is registered, so a SIGINT, SIGTERM or SIGHUP
// removes it before the process dies (`removeOnSignals`), and a writer killed outright
// (SIGKILL, power loss) leaves a name that `removeStale(in:)` clears on the next run.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum TemporaryFiles {
    /// A fresh temporary path next to `path`: `.NAME.PID.RANDOM.tmp` in the same folder.
    public static func path(nextTo path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).\(getpid()).\(random).tmp"
    }

    /// The writer's process id if `name` (a file name, no folder) follows our pattern.
    public static func writerProcess(ofName name: String) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, !parts[0].isEmpty,
              let random = parts.last, !random.isEmpty, random.count <= 8, UInt32(random, radix: 16) != nil,
              let pid = pid_t(parts[parts.count - 2]), pid > 0 else { return nil }
        return pid
    }

    /// Removes the temporary files of ours in `directory` whose writer process is gone;
    /// returns their paths. Files of a writer still running are left alone.
    @discardableResult
    public static func removeStale(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() {
            guard let pid = writerProcess(ofName: name), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = directory + "/" + name
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    // MARK: Removal on signals

    /// Registers a temporary file being written; the signal handler removes it.
    static func register(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        for slot in 0..<slotCount where slots[slot] == nil {
            slots[slot] = strdup(path)
            return slot
        }
        return nil  // more files in flight than slots: only the stale clean-up covers it
    }

    /// The file is committed or removed: the handler must not touch the name any more.
    static func unregister(_ slot: Int?) {
        guard let slot else { return }
        lock.lock(); defer { lock.unlock() }
        let path = slots[slot]
        slots[slot] = nil  // a handler that read the slot just before may unlink the name once more
        free(path)
    }

    /// On SIGINT, SIGTERM and SIGHUP, removes the registered temporary files, then dies of
    /// the signal as it would have. Signals the process ignores (a background job's SIGINT)
    /// stay ignored; commands that handle a signal themselves install their handler later.
    public static func removeOnSignals() {
        _ = slots  // initialise the storage now, never inside the handler
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            sigaction(signalNumber, nil, &current)
            if isIgnored(current) { continue }
            signal(signalNumber) { received in
                TemporaryFiles.removeRegistered()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }

    /// Unlinks every registered file. Only async-signal-safe calls (unlink), no locks.
    public static func removeRegistered() {
        for slot in 0..<slotCount { if let path = slots[slot] { unlink(path) } }
    }

    /// The files the handler would remove now.
    static func registeredPaths() -> [String] {
        lock.lock(); defer { lock.unlock() }
        return (0..<slotCount).compactMap { slots[$0].map { String(cString: $0) } }
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
        return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 1  // SIG_IGN
        #else
        return unsafeBitCast(action.__sigaction_u.__sa_handler, to: Int.self) == 1
        #endif
    }

    private static let slotCount = 32
    private static let lock = NSLock()
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slotCount)
        p.initialize(repeating: nil, count: slotCount)
        return p
    }()
}
