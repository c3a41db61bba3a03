// Helpers for the Training tests: a small synthetic corpus written as real MIDI files in
// composer folders (plus one unreadable file), temporary folders, and model comparison.
import Foundation
import TestSupport
import MIDI
import NN
@testable import Training

enum TrainingFixtures {
    static let fixtures = Fixtures.directory

    static func temporaryFolder(_ name: String = "train") throws -> URL { try TemporaryFolder(name).url }

    /// A piece of `notes` notes: a seeded walk over a scale in eighths and quarters.
    static func piece(seed: UInt64, notes count: Int) -> PianoScore {
        var rng = SplitMix64(seed: seed)
        let scale = [0, 2, 4, 5, 7, 9, 11]
        var notes: [ScoreNote] = []
        var ticks = 0
        var degree = 7
        for _ in 0..<count {
            degree = max(0, min(20, degree + Int(rng.next() % 5) - 2))
            let pitch = 48 + 12 * (degree / 7) + scale[degree % 7]
            let duration = rng.next() % 3 == 0 ? 480 : 240
            notes.append(ScoreNote(pitch: pitch, velocity: 60 + Int(rng.next() % 40), onsetTicks: ticks, durationTicks: duration))
            ticks += duration
        }
        return PianoScore(ticksPerQuarter: 480, notes: notes, tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 100)])
    }

    /// corpus/alpha/a1.mid, a2.mid, beta/b1.mid, b2.mid, c.mid (root), broken/bad.mid (garbage).
    static func makeCorpus(in folder: URL, notesPerPiece: Int = 40) throws -> URL {
        let corpus = folder.appendingPathComponent("corpus")
        let files: [(String, UInt64)] = [("alpha/a1.mid", 1), ("alpha/a2.mid", 2), ("beta/b1.mid", 3), ("beta/b2.mid", 4), ("c.midi", 5)]
        for (path, seed) in files {
            let url = corpus.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(piece(seed: seed, notes: notesPerPiece).midiFile(title: path).encoded()).write(to: url)
        }
        let bad = corpus.appendingPathComponent("broken/bad.mid")
        try FileManager.default.createDirectory(at: bad.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("MThd this is not a MIDI file".utf8).write(to: bad)
        try Data("not midi".utf8).write(to: corpus.appendingPathComponent("notes.txt"))
        return corpus
    }

    static func parameters(_ model: LSTMModel) -> [Float] {
        model.tensorNames().flatMap { name in model.withTensor(named: name) { Array($0) } }
    }

    static func options(corpus: URL, save: URL) -> TrainingOptions {
        var o = TrainingOptions(dataDirectory: corpus)
        o.saveDirectory = save
        o.epochs = 2
        o.batchSize = 2
        o.sequenceLength = 16
        o.embeddingSize = 8
        o.hiddenSize = 16
        o.layers = 2
        o.dropout = 0.1
        o.learningRate = 0.01
        o.validationSplit = 0.25
        o.augmentTranspose = 2
        o.seed = 42
        o.threads = 1
        return o
    }
}
