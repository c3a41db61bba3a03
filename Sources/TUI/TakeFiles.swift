// Where takes go: `takes/take-YYYYMMDD-HHMMSS.mid` (and `.wav`), and recovery files
// `takes/recovered-YYYYMMDD-HHMMSS.mid` written when the composer is interrupted. Names
// are a pure function of the time and of the names already taken.

import Foundation

public enum TakeFiles {
    /// "20261124-101500" in the local time zone.
    public static func stamp(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// A path `<directory>/<prefix>-<stamp>.mid` that does not exist yet (adds -2, -3...).
    public static func freshPath(directory: String, prefix: String, date: Date,
                                 exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String {
        let base = "\(directory)/\(prefix)-\(stamp(date))"
        var path = base + ".mid"
        var n = 2
        while exists(path) || exists(String(path.dropLast(4)) + ".wav") {
            path = "\(base)-\(n).mid"
            n += 1
        }
        return path
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
