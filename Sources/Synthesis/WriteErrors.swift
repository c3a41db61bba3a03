// Atomic writes (FileSafety) report their failures as this module's error, with the
// system's reason kept ("No space left on device", "Permission denied").
import FileSafety

func reportingWriteErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AtomicFileError {
        throw SynthesisError.cannotWrite(path: e.path, reason: e.reason)
    }
}
