// Places a token sequence in time for drawing: where each bar starts (ticks and seconds),
// and each note with the index of its PITCH token, so a UI can colour a note by how
// probable it was. Reads only the tokens' payloads (POS, VEL, PITCH, DUR, TS, TEMPO);
// the tokenizer's decoder stays the authority for MIDI export, and a test checks the two
// agree on every note.
import MIDI
import Tokenization

struct TokenTimeline {
    struct Note {
        var pitch: Int
        var velocity: Int
        var onsetTicks: Int
        var durationTicks: Int
        /// Index in the token sequence of the note's PITCH token.
        var pitchTokenIndex: Int
    }

    struct Bar {
        /// Index in the token sequence of the bar's BAR token.
        var tokenIndex: Int
        var startTicks: Int
        var lengthTicks: Int
        var notes: [Note] = []
    }

    static let ticksPerQuarter = 480

    var bars: [Bar] = []
    var tempoChanges: [TempoChange] = []
    var tempoMap: TempoMap { TempoMap(ticksPerQuarter: Self.ticksPerQuarter, changes: tempoChanges) }

    /// Interprets `tokens` (a legal prefix of the grammar: BOS, STYLE, bars), step for step
    /// as the tokenizer's decoder does (absolute grid steps, rounded to ticks once).
    init(tokens: [Int], vocabulary: Vocabulary) {
        let configuration = vocabulary.configuration
        let ticksPerStep = Double(Self.ticksPerQuarter) / Double(max(1, configuration.stepsPerQuarter))
        func ticks(_ steps: Int) -> Int { Int((Double(steps) * ticksPerStep).rounded()) }
        // Bars are capped at the longest bar the POS tokens can address, as the grammar does.
        func barSteps(_ n: Int, _ d: Int) -> Int { min(configuration.barSteps(numerator: n, denominator: d), vocabulary.positionCount) }
        var currentBarSteps = barSteps(4, 4)
        var barStartSteps = 0
        var positionSteps = 0
        var velocity = 64
        var pendingPitch: (pitch: Int, index: Int)?
        for (index, id) in tokens.enumerated() where id >= 0 && id < vocabulary.count {
            switch vocabulary.token(id) {
            case .bar:
                if !bars.isEmpty { barStartSteps += currentBarSteps }
                bars.append(Bar(tokenIndex: index, startTicks: ticks(barStartSteps),
                                lengthTicks: ticks(barStartSteps + currentBarSteps) - ticks(barStartSteps)))
                positionSteps = 0
            case .timeSignature(let n, let d):
                currentBarSteps = barSteps(n, d)
                if !bars.isEmpty {
                    bars[bars.count - 1].lengthTicks = ticks(barStartSteps + currentBarSteps) - ticks(barStartSteps)
                }
            case .tempo(let bpm):
                let at = ticks(barStartSteps + positionSteps)
                let change = TempoChange(ticks: at, beatsPerMinute: Double(bpm))
                if tempoChanges.last?.ticks == at { tempoChanges[tempoChanges.count - 1] = change } else { tempoChanges.append(change) }
            case .position(let k):
                positionSteps = k
            case .velocity(let v):
                velocity = v
            case .pitch(let p):
                pendingPitch = (p, index)
            case .duration(let steps):
                if let pending = pendingPitch, !bars.isEmpty {
                    let on = barStartSteps + positionSteps
                    bars[bars.count - 1].notes.append(Note(pitch: pending.pitch, velocity: velocity, onsetTicks: ticks(on),
                                                           durationTicks: max(1, ticks(on + steps) - ticks(on)),
                                                           pitchTokenIndex: pending.index))
                }
                pendingPitch = nil
            case .bos, .eos, .pad, .style, .key:
                break
            }
        }
    }
}
