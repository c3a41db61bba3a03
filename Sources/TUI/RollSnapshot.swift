// What the piano roll shows, as plain values: bars of notes in beats (quarter notes).
// The app builds it from the composition session; tests build it by hand. It holds no
// reference to the session, so the view model stays a pure function of it.

/// One note on the roll. Beats are quarter notes from the start of the piece.
public struct RollNote: Hashable, Sendable {
    public var pitch: Int
    public var onsetBeats: Double
    public var durationBeats: Double
    public var velocity: Int
    /// How probable the model found this note (the product of its tokens' probabilities), 0...1.
    public var probability: Double?

    public init(pitch: Int, onsetBeats: Double, durationBeats: Double, velocity: Int = 80, probability: Double? = nil) {
        self.pitch = pitch
        self.onsetBeats = onsetBeats
        self.durationBeats = durationBeats
        self.velocity = velocity
        self.probability = probability
    }
    public var endBeats: Double { onsetBeats + durationBeats }
}

/// One bar: where it starts, how long it is, its notes, and which take of it this is.
public struct RollBar: Hashable, Sendable {
    public var startBeats: Double
    public var lengthBeats: Double
    public var notes: [RollNote]
    /// The bar the model is writing (or has written) and nobody accepted yet.
    public var isCandidate: Bool
    /// Which take of this bar is shown (0-based) and how many there are.
    public var takeIndex: Int
    public var takeCount: Int
    /// Played by a person on the MIDI keyboard.
    public var isPlayed: Bool

    public init(startBeats: Double, lengthBeats: Double = 4, notes: [RollNote] = [], isCandidate: Bool = false,
                takeIndex: Int = 0, takeCount: Int = 1, isPlayed: Bool = false) {
        self.isPlayed = isPlayed
        self.startBeats = startBeats
        self.lengthBeats = lengthBeats
        self.notes = notes
        self.isCandidate = isCandidate
        self.takeIndex = takeIndex
        self.takeCount = takeCount
    }
    public var endBeats: Double { startBeats + lengthBeats }
}

/// The whole roll: bars in order, contiguous in time.
public struct RollSnapshot: Hashable, Sendable {
    public var bars: [RollBar]
    public init(bars: [RollBar] = []) { self.bars = bars }

    public var acceptedBarCount: Int { bars.filter { !$0.isCandidate }.count }
    public var endBeats: Double { bars.last?.endBeats ?? 0 }
    public var noteCount: Int { bars.reduce(0) { $0 + $1.notes.count } }
}
