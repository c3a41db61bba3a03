// What every test target shares: where the committed fixtures are, a seeded generator for
// reproducible random inputs, and temporary folders that are removed again.
import Foundation

public enum Fixtures {
    /// Tests/Fixtures of this checkout.
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository's root (README.md, themes/, checkpoints/).
    public static let repository = directory.deletingLastPathComponent().deletingLastPathComponent()

    /// A file under Tests/Fixtures, e.g. `Fixtures.url("checkpoints/generation_tiny.safetensors")`.
    public static func url(_ relativePath: String) -> URL { directory.appendingPathComponent(relativePath) }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a seeded generator for test inputs.
public struct TestRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh folder under the system's temporary directory; `remove()` deletes it and its contents.
public struct TemporaryFolder: Sendable {
    public let url: URL
    public init(_ name: String = "cadenza-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
