// A 64-bit FNV-1a hash of bytes: identifies file contents for the token cache and the
// corpus fingerprint in checkpoints. Not cryptographic; collisions only cost a stale cache.

public struct ContentHash: Sendable {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    public mutating func add(_ text: String) { add(Array(text.utf8)); add([0]) }

    public mutating func add(_ number: UInt64) {
        add((0..<8).map { UInt8(truncatingIfNeeded: number >> (8 * $0)) })
    }

    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h = ContentHash()
        h.add(bytes)
        return h.value
    }

    public var hex: String { Self.hexOf(value) }

    /// 16 hex digits, zero-padded.
    public static func hexOf(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
