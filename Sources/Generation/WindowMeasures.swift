// The window measures of tools/music_eval.py: generated and human pieces are cut to their
// first bars and compared window by window (WindowSummary.swift, WindowDiscriminator.swift).
// This file holds the types and the key helpers; PieceWindows.swift cuts a file into
// windows and WindowFeatures.swift measures one window.

/// A major or minor key: tonic pitch class 0...11 (0 = C).
public struct WindowKey: Hashable, Sendable, Codable {
    public var tonic: Int
    public var isMinor: Bool

    public init(tonic: Int, isMinor: Bool) {
        self.tonic = tonic
        self.isMinor = isMinor
    }

    static let major = [0, 2, 4, 5, 7, 9, 11]
    static let minor = [0, 2, 3, 5, 7, 8, 10]

    /// The key whose scale holds the most of `pitches` (first found on a tie: C major,
    /// C minor, C# major, ...), and that share of the pitches.
    public static func best(for pitches: [Int]) -> (key: WindowKey, share: Double) {
        var histogram = [Double](repeating: 0, count: 12)
        for p in pitches { histogram[((p % 12) + 12) % 12] += 1 }
        var best = -1.0, key = WindowKey(tonic: 0, isMinor: false)
        for tonic in 0..<12 {
            for (isMinor, scale) in [(false, major), (true, minor)] {
                let s = scale.reduce(0.0) { $0 + histogram[(tonic + $1) % 12] }
                if s > best { best = s; key = WindowKey(tonic: tonic, isMinor: isMinor) }
            }
        }
        return (key, best / max(1, Double(pitches.count)))
    }

    /// The same key, a fifth either way in the same mode, or the relative major/minor.
    public func isRelated(to other: WindowKey) -> Bool {
        if self == other { return true }
        let up = ((tonic - other.tonic) % 12 + 12) % 12
        if isMinor == other.isMinor { return up == 5 || up == 7 }
        return isMinor ? up == 9 : up == 3  // relative: the major's tonic is 3 above the minor's
    }
}

/// The measures of one window of bars, named as music_eval.py names them.
public struct WindowMeasures: Hashable, Sendable, Codable {
    /// Share of notes in the window's best key.
    public var inKey = 0.0
    public var notesPerSecond = 0.0
    /// Mean number of notes sounding at each onset (the struck ones included).
    public var polyphony = 0.0
    /// Highest minus lowest pitch, semitones.
    public var pitchRange = 0.0
    /// Share of top-voice intervals of at most two semitones.
    public var stepShare = 0.0
    /// Share of onsets on the eighth-note grid of the file's beats.
    public var onEighthGrid = 0.0
    /// Share of the window's bars whose onset pattern repeats in another of its bars.
    public var barRhythmRepeats = 0.0
    /// Standard deviation of log2 BPM over the onsets.
    public var tempoSpread = 0.0
    public var velocitySD = 0.0
    public var meanPitch = 0.0
    public var key = WindowKey(tonic: 0, isMinor: false)

    public init() {}

    /// Feature names in music_eval.py's FEATURES order.
    public static let featureNames = ["in_key", "notes_per_s", "polyphony", "pitch_range", "step_share", "on_eighth_grid",
                                      "bar_rhythm_repeats", "tempo_spread", "velocity_sd", "mean_pitch"]

    /// The features in `featureNames` order (the discriminator's input).
    public var features: [Double] {
        [inKey, notesPerSecond, polyphony, pitchRange, stepShare, onEighthGrid, barRhythmRepeats, tempoSpread,
         velocitySD, meanPitch]
    }
}

/// The windows of one piece, in order.
public struct PieceWindows: Hashable, Sendable, Codable {
    public var name: String
    public var windows: [WindowMeasures]

    public init(name: String, windows: [WindowMeasures]) {
        self.name = name
        self.windows = windows
    }

    /// Share of adjacent windows whose best keys are related; nil with fewer than two windows.
    public var keyStability: Double? {
        guard windows.count > 1 else { return nil }
        let related = zip(windows, windows.dropFirst()).filter { $0.key.isRelated(to: $1.key) }.count
        return Double(related) / Double(windows.count - 1)
    }
}
