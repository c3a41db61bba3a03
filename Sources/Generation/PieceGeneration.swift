// Writing a whole piece without a UI (what `cadenza generate` and the evaluation do): a
// session primed with a style and/or the first bars of a MIDI file, N bars sampled and
// accepted in turn, the result decoded. Deterministic for a model, settings and seed.
import MIDI
import NN
import Tokenization

public struct PieceRequest: Sendable {
    /// Bars to sample after the primer.
    public var bars: Int = 32
    public var settings: SamplingSettings = .default
    public var seed: UInt64 = 1
    public var style: String?
    /// The key of every sampled bar (nil: the model's choice).
    public var key: MusicalKey?
    /// Without `key`: keep the first bar's key (true) or let the model modulate (false).
    public var holdsKey = true
    /// Primer bars as tokens (see `primerBars(from:count:tokenizer:)`).
    public var primerBars: [[Int]] = []
    /// What the primer was, for provenance (e.g. "primer=song.mid:4").
    public var primerDescription: String = ""

    public init(bars: Int = 32, settings: SamplingSettings = .default, seed: UInt64 = 1, style: String? = nil) {
        self.bars = bars
        self.settings = settings
        self.seed = seed
        self.style = style
    }
}

public struct GeneratedPiece {
    public var score: PianoScore
    public var midi: MIDIFile
    public var tokens: [Int]
    public var provenance: String
    public var barCount: Int
    public var noteCount: Int { score.notes.count }
    /// Where the last note ends, in seconds.
    public var durationSeconds: Double { score.tempoMap.seconds(atTicks: score.endTicks) }
}

public enum PieceGenerator {
    /// The first `count` bars of `score` as token bars (each starting with BAR). Throws when
    /// the score has fewer bars than asked for.
    public static func primerBars(from score: PianoScore, count: Int, tokenizer: Tokenizer) throws -> [[Int]] {
        guard count > 0 else { return [] }
        let bars = tokenBars(of: score, tokenizer: tokenizer)
        guard bars.count >= count else {
            throw GenerationError.primerBarNotEncodable(bar: bars.count, reason: "the primer has only \(bars.count) bar\(bars.count == 1 ? "" : "s"), \(count) asked for")
        }
        return Array(bars.prefix(count))
    }

    /// Every bar of `score` as tokens (each starting with BAR; no BOS, STYLE or EOS).
    public static func tokenBars(of score: PianoScore, tokenizer: Tokenizer) -> [[Int]] {
        var ids = tokenizer.encode(score, style: nil)
        if ids.last == tokenizer.vocabulary.eosID { ids.removeLast() }
        let starts = tokenizer.vocabulary.barStartIndices(ids)
        return starts.indices.map { i in Array(ids[starts[i]..<(i + 1 < starts.count ? starts[i + 1] : ids.count)]) }
    }

    /// `count` pieces of the same request with the seeds request.seed, request.seed + 1, ...
    /// (wrapping): what `cadenza generate --count N` writes. All are made before any is
    /// returned, so a failure leaves nothing half done.
    public static func generate(count: Int, model: LSTMModel, tokenizer: Tokenizer, checkpointName: String,
                                request: PieceRequest) throws -> [GeneratedPiece] {
        var request = request
        let first = request.seed
        return try (0..<count).map { i in
            request.seed = first &+ UInt64(i)
            return try generate(model: model, tokenizer: tokenizer, checkpointName: checkpointName, request: request)
        }
    }

    /// Samples a piece. Throws for invalid settings, an unknown style or a primer the
    /// grammar rejects.
    public static func generate(model: LSTMModel, tokenizer: Tokenizer, checkpointName: String,
                                request: PieceRequest) throws -> GeneratedPiece {
        let session = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: checkpointName,
                                             style: request.style, settings: request.settings, seed: request.seed)
        if !request.primerDescription.isEmpty {
            session.primerDescription = [session.primerDescription, request.primerDescription]
                .filter { !$0.isEmpty }.joined(separator: "; ")
        }
        try session.appendPrimerBars(request.primerBars)
        try session.setKey(request.key)
        session.holdsKey = request.holdsKey
        for _ in 0..<max(0, request.bars) { try session.generateBar() }
        let score = try session.takeAsScore()
        let provenance = session.provenance()
        return GeneratedPiece(score: score, midi: CompositionSession.midiFile(score: score, provenance: provenance),
                              tokens: session.tokens(includeCandidate: false), provenance: provenance,
                              barCount: session.acceptedBarCount)
    }
}
