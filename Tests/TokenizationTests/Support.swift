// Helpers shared by the tokenization tests: the fixture MIDI files as scores (the paths and
// the seeded generator are TestSupport's).
import Foundation
import MIDI
import TestSupport

extension Fixtures {
    static var midiFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mid") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func score(_ url: URL) throws -> PianoScore {
        PianoScore(midi: try MIDIFile(contentsOf: url))
    }
}
