// The knobs of the sampler, validated in one place: temperature, top-k, top-p, min-p, and
// the temperature of tempo changes.
// A plain value so a UI can change it at any time and a take can record it.

public struct SamplingSettings: Hashable, Sendable, CustomStringConvertible {
    /// Divides the logits. 0 means argmax (greedy); 1 samples the model's own distribution.
    public var temperature: Double
    /// Keep only the k most probable legal tokens; 0 turns the filter off.
    public var topK: Int
    /// Keep the smallest set of most probable tokens whose mass reaches topP; 1 turns it off.
    public var topP: Double
    /// Keep only tokens at least minP times as probable as the most probable one (after
    /// temperature); 0 turns it off. It cuts the long tail in confident steps and leaves
    /// uncertain steps open, where top-p cuts the same mass everywhere.
    public var minP: Double
    /// Temperature of TEMPO tokens (the choice of a tempo bin where a tempo change may
    /// come); nil uses `temperature`. Lower keeps the tempo steadier. With one tempo per bar
    /// (the second bundled model) the model already changes tempo as rarely as the scores
    /// do, and a lower tempo temperature freezes it (tempo spread 0.002 against 0.080).
    public var tempoTemperature: Double?

    /// Chosen on the validation split (the model card's settings table, second bundled
    /// model): temperature 1 with top-p 0.95 and the key held gives a discriminator of 0.59
    /// (0.54 with the key free, within the noise of 30 pieces), in key 0.91, key stability
    /// 0.54, polyphony +11% and the scores' tempo spread; cooler settings are told apart
    /// more easily (0.73 at 0.9, 0.79 at 0.8), and min-p made it worse (0.76 at 0.035).
    public static let `default` = SamplingSettings(temperature: 1.0, topK: 0, topP: 0.95, minP: 0, tempoTemperature: nil)

    public init(temperature: Double = 1.0, topK: Int = 0, topP: Double = 0.95, minP: Double = 0, tempoTemperature: Double? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.tempoTemperature = tempoTemperature
    }

    /// The largest temperature (and tempo temperature): above 3 the distribution is close to
    /// uniform over the legal tokens, noise rather than music.
    public static let maximumTemperature = 3.0
    /// The range the composer's keys move the temperature in (0 is greedy).
    public static let temperatureRange = 0.0...maximumTemperature

    /// Each knob's accepted values, as the one message every front end shows
    /// ("temperature must be a number in [0, 3], 0 for the likeliest token (got 5.0)").
    public enum Knob: String, CaseIterable, Sendable {
        case temperature, topK = "top-k", topP = "top-p", minP = "min-p", tempoTemperature = "tempo-temperature"

        /// The accepted values, in words.
        public var expected: String {
            switch self {
            case .temperature: return "a number in [0, 3], 0 for the likeliest token"
            case .topK: return "an integer >= 0, 0 for no limit"
            case .topP: return "a number in (0, 1], 1 for no limit"
            case .minP: return "a number in [0, 1), 0 for no limit"
            case .tempoTemperature: return "a number in (0, 3]"
            }
        }

        func accepts(_ v: Double) -> Bool {
            guard v.isFinite else { return false }
            switch self {
            case .temperature: return SamplingSettings.temperatureRange.contains(v)
            case .topK: return v >= 0 && v == v.rounded()
            case .topP: return v > 0 && v <= 1
            case .minP: return v >= 0 && v < 1
            case .tempoTemperature: return v > 0 && v <= SamplingSettings.maximumTemperature
            }
        }
    }

    /// Throws `GenerationError.invalidSetting` for the first knob out of its range (see Knob);
    /// generate, compose and the session all validate here.
    public func validated() throws -> SamplingSettings {
        var values: [(Knob, Double)] = [(.temperature, temperature), (.topK, Double(topK)), (.topP, topP), (.minP, minP)]
        if let t = tempoTemperature { values.append((.tempoTemperature, t)) }
        for (knob, value) in values where !knob.accepts(value) {
            let shown = knob == .topK ? String(topK) : String(value)
            throw GenerationError.invalidSetting(name: knob.rawValue, value: shown, expected: knob.expected)
        }
        return self
    }

    /// "temperature=1.0 top-k=0 top-p=0.95 min-p=0.0": the form recorded in a take's provenance.
    public var description: String {
        "temperature=\(temperature) top-k=\(topK) top-p=\(topP) min-p=\(minP)" + (tempoTemperature.map { " tempo-temperature=\($0)" } ?? "")
    }
}
