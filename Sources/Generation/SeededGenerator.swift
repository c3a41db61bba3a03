// Cadenza's own seeded random number generator: xoshiro256** seeded through SplitMix64.
// Integer operations only, and doubles made from the top 53 bits by exact conversion, so
// the same seed gives the same stream on every machine and every Swift version (the
// standard library's random helpers may change their algorithms; we never call them here).
import NN

/// xoshiro256** (Blackman and Vigna, 2018). A value type: copying it forks the stream,
/// which is how the composition session rewinds the generator.
public struct SeededGenerator: RandomNumberGenerator, Hashable, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from SplitMix64 of `seed`, which never yields the
    /// all-zero state xoshiro must avoid.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)  // NN's SplitMix64: the one implementation in the project
        s0 = seeder.next(); s1 = seeder.next(); s2 = seeder.next(); s3 = seeder.next()
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A double uniform in [0, 1): the top 53 bits times 2^-53 (both steps are exact).
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An integer uniform in 0 ..< bound, without modulo bias (Lemire's multiply-shift
    /// with rejection). `bound` must be positive.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }
}
