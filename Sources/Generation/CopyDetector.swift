// Copying: the longest run of tokens a generated sequence shares with any training
// sequence. Training n-grams of a fixed seed length are indexed by hash; every hit is
// extended forward token by token, so the answer is exact for runs at least as long as
// the seed (shorter runs report 0, "below the seed length").
public struct CopyDetector: Sendable {
    public let seedLength: Int
    private let corpus: [[Int]]
    /// Hash of a seed n-gram -> (sequence, start) pairs, at most `maximumHitsPerSeed` each.
    private var index: [UInt64: [(Int32, Int32)]] = [:]
    private let maximumHitsPerSeed = 64

    public init(training: [[Int]], seedLength: Int = 8) {
        self.seedLength = max(1, seedLength)
        corpus = training
        for (s, sequence) in training.enumerated() where sequence.count >= self.seedLength {
            for start in 0...(sequence.count - self.seedLength) {
                let h = Self.hash(sequence, start, self.seedLength)
                if index[h, default: []].count < maximumHitsPerSeed { index[h, default: []].append((Int32(s), Int32(start))) }
            }
        }
    }

    static func hash(_ tokens: [Int], _ start: Int, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in start..<(start + length) { h = (h ^ UInt64(truncatingIfNeeded: tokens[i])) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The longest run of `tokens` found verbatim in a training sequence (0 if below the seed length).
    public func longestSharedRun(_ tokens: [Int]) -> Int {
        guard tokens.count >= seedLength else { return 0 }
        var best = 0
        for start in 0...(tokens.count - seedLength) {
            guard let hits = index[Self.hash(tokens, start, seedLength)] else { continue }
            for (s, t) in hits {
                let other = corpus[Int(s)]
                var i = start, j = Int(t)
                while i < tokens.count && j < other.count && tokens[i] == other[j] { i += 1; j += 1 }
                best = max(best, i - start)
            }
        }
        return best
    }
}
