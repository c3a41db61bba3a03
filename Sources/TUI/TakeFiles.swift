// Where takes go: `takes/take-YYYYMMDD-HHMMSS.mid` (and `.wav`), and recovery files
// `takes/recovered-YYYYMMDD-HHMMSS.mid` written when the composer is interrupted. A name
// is the time plus -2, -3... when taken; it is claimed atomically (AtomicFile.writeNew).

import Foundation
import FileSafety

public enum TakeFiles {
    /// "20261124-101500" in the local time zone.
    public static func stamp(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// Candidate paths for a file saved at `date`: `<directory>/<prefix>-<stamp>.mid`, then
    /// `-2.mid`, `-3.mid`, ... (a name whose `.wav` exists counts as taken).
    public static func candidatePaths(directory: String, prefix: String, date: Date,
                                      wavExists: @escaping (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        -> some Sequence<String> {
        let base = "\(directory)/\(prefix)-\(stamp(date))"
        return (1...10_000).lazy
            .map { n in n == 1 ? base + ".mid" : "\(base)-\(n).mid" }
            .filter { !wavExists(String($0.dropLast(4)) + ".wav") }
    }

    /// Writes `bytes` under the first free candidate name and returns its path. The name is
    /// claimed atomically, so two composers saving into one folder in the same second get
    /// two files (-2 for the second), neither overwriting the other.
    public static func write(_ bytes: [UInt8], directory: String, prefix: String, date: Date) throws -> String {
        do {
            return try AtomicFile.writeNew(Data(bytes), toFirstFreeOf: candidatePaths(directory: directory, prefix: prefix, date: date))
        } catch {
            throw ComposerError.cannotWrite(path: "\(directory)/\(prefix)-\(stamp(date)).mid", reason: (error as? AtomicFileError)?.reason ?? "\(error)")
        }
    }

    /// Creates the takes directory (and parents) if needed.
    public static func ensureDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ComposerError.cannotWrite(path: directory, reason: error.localizedDescription)
        }
    }
}
