// Where `cadenza generate` writes its pieces: one name, numbered names for several, or names
// by seed inside a folder. Pure: the command checks that folders exist.
import Foundation

public enum PieceOutputNames {
    /// FILE.mid for one piece; FILE-001.mid ... for several (the path's extension kept, or
    /// `ext` added when it has none).
    public static func numbered(_ path: String, count: Int, extension ext: String) -> [String] {
        guard count > 1 else { return [path] }
        let url = URL(fileURLWithPath: path)
        let suffix = url.pathExtension.isEmpty ? ext : url.pathExtension
        let stem = url.pathExtension.isEmpty ? path : String(path.dropLast(url.pathExtension.count + 1))
        return (1...count).map { stem + "-" + String(format: "%03d", $0) + "." + suffix }
    }

    /// FOLDER/cadenza-SEED.mid for the seeds firstSeed, firstSeed + 1, ... (wrapping as the
    /// seeds do), so a piece's file says how to make it again.
    public static func bySeed(inFolder folder: String, count: Int, firstSeed: UInt64) -> [String] {
        (0..<count).map { URL(fileURLWithPath: folder).appendingPathComponent("cadenza-\(firstSeed &+ UInt64($0)).mid").path }
    }
}
