// What a person plays on a MIDI keyboard, turned into bars of the piece. The recorder
// gathers notes from key events (monotonic seconds) into a phrase, which ends when every
// key is up and nothing has been struck for a bar. The phrase's first note opens a bar;
// its tempo is the TEMPO bin whose grid fits the played onsets best (ties go to the bin
// nearest the piece's tempo), so a phrase played in time lands on the grid where it was
// played; the tokenizer then writes it as bars (its key found from the notes), which the
// session takes like primer bars.

import Foundation
import Generation
import MIDI
import Playback
import Tokenization

public struct PlayedNote: Hashable, Sendable {
    public var pitch: Int
    public var velocity: Int
    public var onsetSeconds: Double
    public var endSeconds: Double?
}

public struct PhraseRecorder: Sendable {
    public private(set) var notes: [PlayedNote] = []
    /// Index in `notes` of each key held down.
    private var held: [Int: Int] = [:]
    private var lastEventSeconds = 0.0

    public init() {}

    public var isRecording: Bool { !notes.isEmpty }

    public mutating func add(_ event: KeyboardEvent) {
        lastEventSeconds = max(lastEventSeconds, event.seconds)
        if let i = held.removeValue(forKey: event.pitch) { notes[i].endSeconds = event.seconds }
        guard event.velocity > 0 else { return }
        held[event.pitch] = notes.count
        notes.append(PlayedNote(pitch: event.pitch, velocity: event.velocity, onsetSeconds: event.seconds, endSeconds: nil))
    }

    /// Every key is up and nothing happened for `silenceSeconds`.
    public func phraseHasEnded(nowSeconds: Double, silenceSeconds: Double) -> Bool {
        isRecording && held.isEmpty && nowSeconds - lastEventSeconds >= silenceSeconds
    }

    /// The phrase so far (keys still down end now), and a fresh recorder.
    public mutating func takePhrase(nowSeconds: Double) -> [PlayedNote] {
        let out = notes.map { n -> PlayedNote in
            var n = n
            if n.endSeconds == nil { n.endSeconds = nowSeconds }
            return n
        }
        self = PhraseRecorder()
        return out
    }
}

public enum PhraseEncoder {
    /// The tempo (quarters per minute, a TEMPO bin) whose grid the onsets fit best.
    static func tempo(of notes: [PlayedNote], configuration c: TokenizerConfiguration, hintBPM: Double) -> Int {
        guard let first = notes.first?.onsetSeconds else { return c.temposBPM[c.temposBPM.count / 2] }
        let offsets = notes.map { $0.onsetSeconds - first }
        func gridError(_ bpm: Int) -> Double {
            let step = 60.0 / Double(bpm) / Double(c.stepsPerQuarter)
            return offsets.reduce(0) { $0 + abs($1 / step - ($1 / step).rounded()) * step } / Double(offsets.count)
        }
        let errors = c.temposBPM.map { (bpm: $0, error: gridError($0)) }
        let best = errors.map(\.error).min() ?? 0
        // Within 3 ms of the best fit, the bin nearest the piece's tempo.
        let candidates = errors.filter { $0.error <= best + 0.003 }
        return candidates.min { abs(log(Double($0.bpm) / hintBPM)) < abs(log(Double($1.bpm) / hintBPM)) }!.bpm
    }

    /// The phrase as bars of tokens (each starting with BAR), in a bar of `beatsPerBar`
    /// quarters, at the tempo that fits it.
    public static func bars(_ notes: [PlayedNote], tokenizer: Tokenizer, beatsPerBar: Int, hintBPM: Double) -> [[Int]] {
        guard let first = notes.first?.onsetSeconds else { return [] }
        let bpm = tempo(of: notes, configuration: tokenizer.configuration, hintBPM: hintBPM)
        let ticksPerQuarter = 480
        let ticksPerSecond = Double(bpm) / 60 * Double(ticksPerQuarter)
        func ticks(_ seconds: Double) -> Int { Int(((seconds - first) * ticksPerSecond).rounded()) }
        let score = PianoScore(
            ticksPerQuarter: ticksPerQuarter,
            notes: notes.map { n in
                let on = ticks(n.onsetSeconds)
                return ScoreNote(pitch: n.pitch, velocity: max(1, min(127, n.velocity)), onsetTicks: on,
                                 durationTicks: max(1, ticks(n.endSeconds ?? n.onsetSeconds) - on))
            },
            tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: Double(bpm))],
            timeSignatures: [TimeSignatureChange(ticks: 0, numerator: max(1, beatsPerBar), denominator: 4)])
        return PieceGenerator.tokenBars(of: score, tokenizer: tokenizer)
    }
}
