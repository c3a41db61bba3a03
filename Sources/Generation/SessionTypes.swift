// The values a composition session is made of and hands out: a take (one version of a
// bar, with per-token probabilities), the read-only snapshot a UI draws, and the decoded
// notes of a bar. All are Sendable values: safe to pass from the generating thread to the
// drawing thread. The session itself is in CompositionSession.swift.
import Tokenization

/// One version of a bar: its tokens (the first is always BAR) and, per token, the model's
/// probability of it given everything before it in the piece as it stands now (temperature 1,
/// legal tokens only; refreshed whenever an earlier bar changes).
public struct Take: Hashable, Sendable {
    public enum Origin: Hashable, Sendable {
        /// Encoded from the primer MIDI file.
        case primer
        /// Played by a person on a MIDI keyboard.
        case played
        /// Sampled with these settings.
        case sampled(SamplingSettings)
    }
    public var tokens: [Int]
    public var probabilities: [Float]
    public var origin: Origin

    public init(tokens: [Int], probabilities: [Float], origin: Origin) {
        self.tokens = tokens
        self.probabilities = probabilities
        self.origin = origin
    }
}

/// What `step()` reports: the token, how probable the model found it, and where it went.
public struct TokenEvent: Hashable, Sendable {
    public var token: Int
    /// The model's probability of the token at temperature 1 over legal tokens.
    public var probability: Double
    /// Index of the bar being written (the candidate's index).
    public var bar: Int
    /// True when the sampled token was BAR: the candidate is complete (the BAR itself starts
    /// the next bar and is not stored in this one) and waits for `acceptCandidate()`.
    public var completesBar: Bool
}

/// One decoded note, placed in the piece, with the probability of its PITCH token.
public struct SessionNote: Hashable, Sendable {
    public var pitch: Int
    public var velocity: Int
    public var onsetTicks: Int
    public var durationTicks: Int
    public var onsetSeconds: Double
    public var durationSeconds: Double
    /// Probability of the note's PITCH token (1 for primer notes as encoded, else as sampled).
    public var probability: Float
}

/// A read-only picture of one bar for drawing.
public struct BarSnapshot: Hashable, Sendable {
    public var index: Int
    public var tokens: [Int]
    public var probabilities: [Float]
    public var takeCount: Int
    public var selectedTake: Int
    public var isPrimer: Bool
    public var isCandidate: Bool
    /// For the candidate: whether the model has ended it (it waits for acceptance).
    public var isComplete: Bool
    public var startTicks: Int
    public var lengthTicks: Int
    public var startSeconds: Double
    /// Played by a person (a primer bar from the MIDI keyboard).
    public var isPlayed: Bool = false
    /// Notes whose onsets fall in this bar, sorted by onset then pitch.
    public var notes: [SessionNote]
}

/// A read-only picture of the whole session.
public struct SessionSnapshot: Hashable, Sendable {
    /// Accepted bars, then the candidate (if any) as the last element with `isCandidate`.
    public var bars: [BarSnapshot]
    public var settings: SamplingSettings
    public var regenerationCandidates: Int
    public var seed: UInt64
    public var ticksPerQuarter: Int
    /// Increases by one with every change to the session; equal versions, equal snapshots.
    public var version: Int
    /// Whether the model has KEY tokens at all.
    public var hasKeyTokens = false
    /// The key of the last bar written (its KEY token), nil before any.
    public var currentKey: MusicalKey? = nil
    public var acceptedBarCount: Int { bars.filter { !$0.isCandidate }.count }
    public var candidate: BarSnapshot? { bars.last.flatMap { $0.isCandidate ? $0 : nil } }
}

/// What `regenerate(bar:)` did: the new take and the log-likelihood of the following
/// bars under each of the K candidates (empty when nothing follows the bar).
public struct RegenerationReport: Hashable, Sendable {
    public var bar: Int
    public var take: Int
    /// log p(bars k+1..., candidate bar | candidate i), nats; -infinity if the following
    /// tokens became illegal after candidate i (never chosen then).
    public var candidateLogLikelihoods: [Double]
    public var chosenCandidate: Int
}
