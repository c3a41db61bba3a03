// Generated music against human music, as ../shared/tools/music_eval.py judges it: the
// window measures of both sets and the discriminator's accuracy (0.5 = it cannot tell them
// apart). Also the sweep behind the default sampling settings: the same comparison for
// pieces generated with each of several settings.
import Foundation
import MIDI
import NN
import Tokenization

public struct MusicComparison: Sendable {
    public var generated: WindowSummary
    public var human: WindowSummary
    /// Balanced accuracy of the grouped 5-fold logistic regression, the mean over 20 fold
    /// assignments (music_eval.py draws one, so it differs by that draw); NaN when a side is empty.
    public var discriminatorAccuracy: Double

    public init(generated: [PieceWindows], human: [PieceWindows], seed: UInt64 = 0) {
        self.generated = WindowSummary(pieces: generated)
        self.human = WindowSummary(pieces: human)
        discriminatorAccuracy = Generation.discriminatorAccuracy(generated: generated, human: human, seed: seed, shuffles: 20)
    }

    /// The measures in music_eval.py's order, then key stability.
    public static let measureNames = WindowMeasures.featureNames + ["key_stability"]

    /// A Markdown table: one row per measure, then the discriminator.
    public func table(generatedTitle: String = "generated", humanTitle: String = "human") -> String {
        var out = "| measure | \(generatedTitle) | \(humanTitle) |\n| --- | ---: | ---: |\n"
        for name in Self.measureNames {
            out += "| \(name) | \(Self.format(generated.measure(name))) | \(Self.format(human.measure(name))) |\n"
        }
        out += "| pieces / windows | \(generated.pieces) / \(generated.windows) | \(human.pieces) / \(human.windows) |\n"
        out += "\nDiscriminator accuracy (0.5 = cannot tell them apart): \(Self.format(discriminatorAccuracy))\n"
        return out
    }

    /// The comparison as music_eval.py's --json prints it.
    public var dictionary: [String: Any] {
        ["generated": generated.dictionary, "human": human.dictionary, "discriminator_accuracy": discriminatorAccuracy]
    }

    static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "n/a" }
}

/// One row of the settings sweep.
public struct SettingsTrial: Sendable {
    public var settings: SamplingSettings
    /// Whether the key of the first bar was kept (else the model could change key at any bar).
    public var holdsKey: Bool
    public var comparison: MusicComparison
    /// Pieces that failed to generate or decode.
    public var failures: Int
}

public enum SettingsSweep {
    /// Generates `pieces` pieces of `bars` bars (seeds firstSeed...) with each of `settings`
    /// and compares their first `windowBars` bars with `human` (already cut the same way).
    public static func run(model: LSTMModel, tokenizer: Tokenizer, checkpointName: String, settings: [(SamplingSettings, holdsKey: Bool)],
                           pieces: Int, bars: Int, windowBars: Int, firstSeed: UInt64, human: [PieceWindows],
                           progress: (Int, Int) -> Void = { _, _ in }) -> [SettingsTrial] {
        var trials: [SettingsTrial] = []
        for (index, (setting, holdsKey)) in settings.enumerated() {
            progress(index, settings.count)
            let (windows, _, failures) = generatedWindows(model: model, tokenizer: tokenizer, checkpointName: checkpointName,
                                                       settings: setting, pieces: pieces, bars: bars, windowBars: windowBars,
                                                       firstSeed: firstSeed, holdsKey: holdsKey)
            trials.append(SettingsTrial(settings: setting, holdsKey: holdsKey, comparison: MusicComparison(generated: windows, human: human),
                                        failures: failures))
        }
        return trials
    }

    /// The windows of freshly generated pieces (seeds firstSeed ..< firstSeed + pieces).
    public static func generatedWindows(model: LSTMModel, tokenizer: Tokenizer, checkpointName: String, settings: SamplingSettings,
                                        pieces: Int, bars: Int, windowBars: Int, firstSeed: UInt64,
                                        key: MusicalKey? = nil, holdsKey: Bool = true) -> (windows: [PieceWindows], pieces: [MIDIFile], failures: Int) {
        var windows: [PieceWindows] = []
        var files: [MIDIFile] = []
        var failures = 0
        for i in 0..<pieces {
            var request = PieceRequest(bars: bars, settings: settings, seed: firstSeed &+ UInt64(i))
            request.key = key
            request.holdsKey = holdsKey
            guard let piece = try? PieceGenerator.generate(model: model, tokenizer: tokenizer, checkpointName: checkpointName, request: request) else {
                failures += 1; continue
            }
            files.append(piece.midi)
            if let w = WindowMeasures.pieceWindows(midi: piece.midi, name: "seed \(request.seed)", bars: windowBars) { windows.append(w) }
        }
        return (windows, files, failures)
    }

    /// A Markdown table of the trials: settings, the headline measures, the discriminator.
    public static func table(_ trials: [SettingsTrial], human: WindowSummary) -> String {
        let shown = ["in_key", "key_stability", "polyphony", "step_share", "bar_rhythm_repeats", "tempo_spread"]
        var out = "| temperature | top-p | min-p | tempo temp. | key | discriminator | " + shown.joined(separator: " | ") + " |\n"
        out += "| ---: | ---: | ---: | ---: | --- | ---: |" + String(repeating: " ---: |", count: shown.count) + "\n"
        for t in trials {
            let c = t.comparison
            out += "| \(t.settings.temperature) | \(t.settings.topP) | \(t.settings.minP) | \(t.settings.tempoTemperature.map { String($0) } ?? "=") | \(t.holdsKey ? "held" : "free") | \(MusicComparison.format(c.discriminatorAccuracy)) | "
                + shown.map { MusicComparison.format(c.generated.measure($0)) }.joined(separator: " | ") + " |\n"
        }
        out += "| human (validation) | | | | | 0.5 | " + shown.map { MusicComparison.format(human.measure($0)) }.joined(separator: " | ") + " |\n"
        return out
    }
}
