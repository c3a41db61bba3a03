// The parameters of a tokenization: the onset grid, the longest bar, and the bins for
// velocity, tempo and duration, and the supported time signatures. Stored (through
// the Vocabulary's JSON) in every checkpoint, so a checkpoint decodes its own tokens.
// The chosen defaults and the measurements behind them are in Tokenization.swift.
import Foundation

public struct TokenizerConfiguration: Hashable, Sendable, Codable {
    /// Onset grid: steps per quarter note.
    public var stepsPerQuarter: Int
    /// The longest bar, in quarters; longer bars are split into equal parts.
    public var maxBarQuarters: Int
    /// Representative MIDI velocities, ascending (one VEL token each).
    public var velocities: [Int]
    /// Representative tempi in quarters per minute, ascending (one TEMPO token each).
    public var temposBPM: [Int]
    /// Representative durations in grid steps, ascending (one DUR token each).
    public var durationSteps: [Int]
    /// Supported time signatures as [numerator, denominator] pairs (one TS token each).
    public var timeSignatures: [[Int]]
    /// Piano range of PITCH tokens; notes outside are moved by octaves into it.
    public var lowestPitch: Int
    public var highestPitch: Int
    /// A tempo token is emitted when the decoded timeline would drift from the original
    /// by more than this fraction of a grid step at the next onset.
    public var tempoTolerance: Double
    /// A KEY token (tonic and mode) after every BAR (and TS): the key stays one bar away
    /// from the model's attention, and a person can ask for a key by forcing it. False in
    /// vocabularies written before keys existed (the field is absent there).
    public var keyTokens: Bool
    /// One tempo per bar: the score is re-timed to the bar's mean tempo on a bin, changed
    /// only when a bar leaves the current bin (see Tokenizer+BarTempo.swift). Rubato inside
    /// a bar is dropped; the bars and beats stay where the score has them. False in
    /// vocabularies written before it existed (they follow the tempo map event by event).
    public var tempoPerBar: Bool

    public init(stepsPerQuarter: Int, maxBarQuarters: Int = 8, velocities: [Int], temposBPM: [Int],
                durationSteps: [Int], timeSignatures: [[Int]], lowestPitch: Int = 21, highestPitch: Int = 108,
                tempoTolerance: Double = 0.25, keyTokens: Bool = true, tempoPerBar: Bool = true) {
        self.stepsPerQuarter = stepsPerQuarter
        self.maxBarQuarters = maxBarQuarters
        self.velocities = velocities
        self.temposBPM = temposBPM
        self.durationSteps = durationSteps
        self.timeSignatures = timeSignatures
        self.lowestPitch = lowestPitch
        self.highestPitch = highestPitch
        self.tempoTolerance = tempoTolerance
        self.keyTokens = keyTokens
        self.tempoPerBar = tempoPerBar
    }

    private enum CodingKeys: String, CodingKey {
        case stepsPerQuarter, maxBarQuarters, velocities, temposBPM, durationSteps, timeSignatures,
             lowestPitch, highestPitch, tempoTolerance, keyTokens, tempoPerBar
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(stepsPerQuarter: try c.decode(Int.self, forKey: .stepsPerQuarter),
                  maxBarQuarters: try c.decode(Int.self, forKey: .maxBarQuarters),
                  velocities: try c.decode([Int].self, forKey: .velocities),
                  temposBPM: try c.decode([Int].self, forKey: .temposBPM),
                  durationSteps: try c.decode([Int].self, forKey: .durationSteps),
                  timeSignatures: try c.decode([[Int]].self, forKey: .timeSignatures),
                  lowestPitch: try c.decode(Int.self, forKey: .lowestPitch),
                  highestPitch: try c.decode(Int.self, forKey: .highestPitch),
                  tempoTolerance: try c.decode(Double.self, forKey: .tempoTolerance),
                  keyTokens: try c.decodeIfPresent(Bool.self, forKey: .keyTokens) ?? false,
                  tempoPerBar: try c.decodeIfPresent(Bool.self, forKey: .tempoPerBar) ?? false)
    }

    /// The measured choice (see Tokenization.swift).
    public static let `default` = TokenizerConfiguration.make(stepsPerQuarter: 12)

    /// A configuration with the standard bins for a grid of 12 or 24 steps per quarter.
    public static func make(stepsPerQuarter: Int, tempoBinsPerOctave: Int = 8, velocityBins: Int = 16,
                            maxBarQuarters: Int = 8, keyTokens: Bool = true,
                            tempoPerBar: Bool = true) -> TokenizerConfiguration {
        TokenizerConfiguration(
            stepsPerQuarter: stepsPerQuarter, maxBarQuarters: maxBarQuarters,
            velocities: standardVelocities(count: velocityBins),
            temposBPM: standardTempi(binsPerOctave: tempoBinsPerOctave),
            durationSteps: standardDurations(stepsPerQuarter: stepsPerQuarter),
            timeSignatures: standardTimeSignatures(maxBarQuarters: maxBarQuarters), keyTokens: keyTokens,
            tempoPerBar: tempoPerBar)
    }

    /// `count` evenly spaced velocities ending at 127 (16 bins: 8, 16, ..., 120, 127).
    public static func standardVelocities(count: Int) -> [Int] {
        let n = max(1, count)
        return (1...n).map { min(127, Int((Double($0) * 128.0 / Double(n)).rounded())) }
    }

    /// Tempi spaced evenly on a log scale, `binsPerOctave` per doubling, anchored at 120
    /// BPM (so 30, 60, 120 and 240 are exact), covering 24...320 BPM, rounded to integers.
    /// 8 per octave gives 32 bins, 23...339 BPM, neighbours 9% apart.
    public static func standardTempi(binsPerOctave: Int) -> [Int] {
        let b = Double(max(1, binsPerOctave))
        let lowest = Int((log2(24.0 / 120.0) * b).rounded(.down))
        let highest = Int((log2(320.0 / 120.0) * b).rounded(.up))
        var values: [Int] = []
        for k in lowest...highest {
            let v = Int((120.0 * pow(2.0, Double(k) / b)).rounded())
            if values.last != v { values.append(v) }
        }
        return values
    }

    /// Fine steps for short notes, coarse for long ones, up to 16 quarters; about 32 bins.
    public static func standardDurations(stepsPerQuarter s: Int) -> [Int] {
        // In 48ths of a quarter, then converted to steps (dropping what the grid cannot hold).
        let in48ths = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 28, 32, 36, 40, 48,
                       60, 72, 84, 96, 120, 144, 168, 192, 240, 288, 336, 384, 480, 576, 672, 768]
        var steps: [Int] = []
        for v in in48ths where (v * s) % 48 == 0 {
            let step = v * s / 48
            if step >= 1 && steps.last != step { steps.append(step) }
        }
        if s < 24 {  // every single step up to a quarter on coarse grids
            steps = Array(Set(steps + Array(1...s))).sorted()
        }
        return steps
    }

    /// n/2, n/4, n/8 and n/16 with bars of at most `maxBarQuarters`.
    public static func standardTimeSignatures(maxBarQuarters: Int) -> [[Int]] {
        var list: [[Int]] = []
        for d in [2, 4, 8, 16] {
            let maxN = min(16, maxBarQuarters * d / 4)
            if maxN >= 1 { for n in 1...maxN { list.append([n, d]) } }
        }
        return list
    }

    /// Bar length in grid steps of a time signature.
    public func barSteps(numerator: Int, denominator: Int) -> Int {
        max(1, numerator * stepsPerQuarter * 4 / max(1, denominator))
    }
}
