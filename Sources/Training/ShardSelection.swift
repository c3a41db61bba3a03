// `--shard I/N`: which part of a corpus one machine tokenizes. A file belongs to part
// mix(FNV-1a(relative path)) mod N, so the rule needs no list of the other files: N machines
// that each see the corpus folder (or only some of its files) agree on every file's part
// without talking to each other, and adding files never moves the others.

public struct ShardSelection: Equatable, Sendable, CustomStringConvertible {
    /// Largest N accepted: far beyond any cluster, small enough for file names of 5 digits.
    public static let maximumCount = 99_999

    public let index: Int
    public let count: Int

    /// The whole corpus (0/1).
    public static let all = ShardSelection(validIndex: 0, count: 1)

    private init(validIndex: Int, count: Int) {
        index = validIndex
        self.count = count
    }

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Self.maximumCount else {
            throw TrainingError.invalidOption("--shard I/N: N must be between 1 and \(Self.maximumCount), not \(count)")
        }
        guard index >= 0, index < count else {
            throw TrainingError.invalidOption("--shard I/N: I must be between 0 and N-1 = \(count - 1), not \(index)")
        }
        self.init(validIndex: index, count: count)
    }

    /// Parses "I/N" (e.g. "0/8").
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw TrainingError.invalidOption("--shard must be I/N with whole numbers 0 <= I < N (e.g. 0/4), not '\(text)'")
        }
        try self.init(index: i, count: n)
    }

    /// The part (0 ..< count) a file with this relative path belongs to.
    public func part(ofPath relativePath: String) -> Int {
        // FNV-1a alone leaves its low bits poorly mixed; SplitMix64's finaliser spreads them.
        var z = ContentHash.of(Array(relativePath.utf8))
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(count))
    }

    public func contains(path relativePath: String) -> Bool { part(ofPath: relativePath) == index }

    /// "00003-of-00008": the suffix of this part's file names.
    public var fileSuffix: String { "\(Self.padded(index))-of-\(Self.padded(count))" }

    public var description: String { "\(index)/\(count)" }

    static func padded(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }
}
