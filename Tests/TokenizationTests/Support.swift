// Helpers shared by the tokenization tests: fixture loading and a small seeded RNG.
import Foundation
import MIDI

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var midiFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mid") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func score(_ url: URL) throws -> PianoScore {
        PianoScore(midi: try MIDIFile(contentsOf: url))
    }
}

/// SplitMix64: a tiny seeded generator so the random walks are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
