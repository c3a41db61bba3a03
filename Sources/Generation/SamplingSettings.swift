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

    /// Throws unless temperature is finite and >= 0, topK >= 0 and topP is in (0, 1].
    public func validated() throws -> SamplingSettings {
        guard temperature.isFinite, temperature >= 0 else {
            throw GenerationError.invalidSetting(name: "temperature", value: "\(temperature)", expected: "a number >= 0 (0 = greedy)")
        }
        guard topK >= 0 else {
            throw GenerationError.invalidSetting(name: "top-k", value: "\(topK)", expected: "an integer >= 0 (0 = off)")
        }
        guard topP > 0, topP <= 1 else {
            throw GenerationError.invalidSetting(name: "top-p", value: "\(topP)", expected: "a number in (0, 1] (1 = off)")
        }
        if let t = tempoTemperature, !(t.isFinite && t > 0 && t <= 3) {
            throw GenerationError.invalidSetting(name: "tempo temperature", value: "\(t)", expected: "a number in (0, 3]")
        }
        guard minP.isFinite, minP >= 0, minP < 1 else {
            throw GenerationError.invalidSetting(name: "min-p", value: "\(minP)", expected: "a number in [0, 1) (0 = off)")
        }
        return self
    }

    /// "temperature=1.0 top-k=0 top-p=0.95 min-p=0.0": the form recorded in a take's provenance.
    public var description: String {
        "temperature=\(temperature) top-k=\(topK) top-p=\(topP) min-p=\(minP)" + (tempoTemperature.map { " tempo-temperature=\($0)" } ?? "")
    }
}
