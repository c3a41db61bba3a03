// The model card as `cadenza stats` prints it: Markdown sections (the form the model card
// in checkpoints/ is written in), or one JSON object.
import Foundation
import Generation

extension ModelCard {
    /// One JSON object with every measure; a measure without a value (NaN: nothing to
    /// measure, e.g. no notes) is null, which JSON can hold.
    public var dictionary: [String: Any] {
        Self.nullForNaN(measures) as! [String: Any]
    }

    static func nullForNaN(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let dictionary as [String: Any]: return dictionary.mapValues(nullForNaN)
        case let array as [Any]: return array.map(nullForNaN)
        default: return value
        }
    }

    private var measures: [String: Any] {
        [
            "checkpoint": checkpointPath, "validation_fraction": validationFraction,
            "training_files": trainingFiles, "training_tokens": trainingTokens,
            "validation_files": validationFiles, "validation_tokens": validationTokens,
            "skipped_files": skipped.count,
            "nll": ["lstm": lstm.meanNLL, "unigram": unigramNLL, "bigram_add_one": bigramNLL, "predictions": lstm.predictions,
                    "lstm_per_note": nllPerNote, "notes": notes],
            "window_measures": (windowComparison?.dictionary ?? [:]) as Any,
            "settings_table": settingsTrials.map { ["temperature": $0.settings.temperature, "top_p": $0.settings.topP, "min_p": $0.settings.minP, "key_held": $0.holdsKey,
                                                    "tempo_temperature": ($0.settings.tempoTemperature ?? $0.settings.temperature),
                                                    "comparison": $0.comparison.dictionary] },
            "generated": Self.json(music), "validation": Self.json(validationMusic),
            "pitch_class_kl": ["generated_vs_training": pitchClassKL, "validation_vs_training": validationPitchClassKL],
            "copying": ["generated_max": generatedRuns.last ?? 0, "generated_median": Self.median(generatedRuns),
                        "validation_max": validationRuns.last ?? 0, "validation_median": Self.median(validationRuns),
                        "seed_length": copySeedLength],
            "regeneration": ["candidates": regeneration.candidates, "regenerations": regeneration.regenerations,
                             "mean_single": regeneration.meanSingle, "mean_best_of_k": regeneration.meanBestOfK,
                             "gain_nats": regeneration.gainPerRegeneration, "gain_nats_per_token": regeneration.gainPerToken,
                             "mean_following_tokens": regeneration.meanFollowingTokens],
        ]
    }

    /// The Markdown sections of the card.
    public func markdown() -> String {
        func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        let c = configuration, m = metadata, r = request
        var out = "### Checkpoint \(checkpointName)\n\n"
        out += "- Embedding \(c.vocabularySize)×\(c.embeddingSize) → \(c.layers)-layer LSTM, hidden \(c.hiddenSize) → dense head \(c.hiddenSize)×\(c.vocabularySize); \(parameterCount) parameters\n"
        if let v = m.tokensSeen { out += "- Tokens seen in training: \(v)\n" }
        if let v = m.epochs { out += "- Epochs: \(f(v, 2))\n" }
        if let v = m.validationLoss { out += "- Validation loss stored by training: \(f(v, 4)) nats/token\n" }
        if !m.hyperParameters.isEmpty {
            out += "- Hyper-parameters: " + m.hyperParameters.keys.sorted().map { "\($0)=\(m.hyperParameters[$0]!)" }.joined(separator: ", ") + "\n"
        }
        if let v = m.createdBy { out += "- Written by \(v)\n" }
        out += "\n"
        var kinds = "| token kind | NLL (nats) | tokens |\n| --- | ---: | ---: |\n"
        for kind in lstm.byKind.keys.sorted() {
            let k = lstm.byKind[kind]!
            kinds += "| \(kind) | \(f(k.sum / Double(max(1, k.count)))) | \(k.count) |\n"
        }
        out += """
        ### Held-out loss (\(validationFiles) validation files, \(lstm.predictions) predicted tokens; \(trainingFiles) training files, \(trainingTokens) tokens)

        | model | NLL / token (nats) | perplexity |
        | --- | ---: | ---: |
        | LSTM (\(checkpointName)) | \(f(lstm.meanNLL)) | \(f(exp(lstm.meanNLL), 2)) |
        | add-one bigram | \(f(bigramNLL)) | \(f(exp(bigramNLL), 2)) |
        | unigram (add-one) | \(f(unigramNLL)) | \(f(exp(unigramNLL), 2)) |

        LSTM NLL per note (all \(lstm.predictions) token losses over the \(notes) notes): \(f(nllPerNote)) nats.

        LSTM NLL by the kind of the predicted token:

        \(kinds)

        ### Music statistics: \(r.pieces) generated pieces of \(r.bars) bars (seeds \(r.firstSeed)...\(r.firstSeed &+ UInt64(r.pieces - 1)), \(SamplingSettings.default)) vs the validation files

        | measure | generated | validation files |
        | --- | ---: | ---: |
        | decodes without error | \(pct(music.decodeRate)) | \(pct(validationMusic.decodeRate)) |
        | notes per bar | \(f(music.notesPerBar, 2)) | \(f(validationMusic.notesPerBar, 2)) |
        | polyphony (notes sounding at an onset) | \(f(music.meanPolyphony, 2)) | \(f(validationMusic.meanPolyphony, 2)) |
        | pitch range per piece (semitones) | \(f(music.meanPitchRange, 1)) | \(f(validationMusic.meanPitchRange, 1)) |
        | mean pitch (MIDI) | \(f(music.meanPitch, 1)) | \(f(validationMusic.meanPitch, 1)) |
        | pitch-class KL to the training files (nats) | \(f(pitchClassKL, 4)) | \(f(validationPitchClassKL, 4)) |
        | notes on the downbeat | \(pct(music.downbeatShare)) | \(pct(validationMusic.downbeatShare)) |
        | notes on a quarter-note beat | \(pct(music.onBeatShare)) | \(pct(validationMusic.onBeatShare)) |
        | bars repeating an earlier bar exactly | \(pct(music.repeatedBarShare)) | \(pct(validationMusic.repeatedBarShare)) |
        | longest token run shared with a training file: median / max | \(Self.median(generatedRuns)) / \(generatedRuns.last ?? 0) | \(Self.median(validationRuns)) / \(validationRuns.last ?? 0) |

        (Copying: runs under \(copySeedLength) tokens count as 0; the validation column uses each file's first \(r.bars) bars.)

        """
        if let windowComparison {
            out += """

            ### Against the validation files, window by window (music_eval.py's measures)

            \(r.windowPieces) generated pieces of \(r.windowBars) bars (seeds \(r.firstSeed)..., \(SamplingSettings.default)) against the first \(r.windowBars) bars of the \(validationURLs.count) validation files, in windows of 4 bars, pedal folded on both sides:

            \(windowComparison.table(generatedTitle: "generated", humanTitle: "validation files"))

            """
        }
        if !settingsTrials.isEmpty {
            out += """

            ### Sampling settings against the validation files (\(r.windowPieces) pieces of \(r.windowBars) bars each)

            \(SettingsSweep.table(settingsTrials, human: humanWindows))

            """
        }
        if regeneration.regenerations > 0 {
            out += """

            ### Coherent regeneration (K = \(regeneration.candidates), \(regeneration.regenerations) regenerations of inner bars in \(r.regenerationPieces) pieces of 16 bars)

            Log-likelihood of the following bars (mean \(f(regeneration.meanFollowingTokens, 0)) tokens): single sample \(f(regeneration.meanSingle, 1)) nats, best of K \(f(regeneration.meanBestOfK, 1)) nats; gain \(f(regeneration.gainPerRegeneration, 2)) nats per regeneration (\(f(regeneration.gainPerToken, 4)) nats per following token).

            """
        }
        return out
    }

    static func json(_ s: MusicStatistics) -> [String: Any] {
        ["pieces": s.pieces, "decode_rate": s.decodeRate, "bars": s.bars, "notes": s.notes, "notes_per_bar": s.notesPerBar,
         "polyphony": s.meanPolyphony, "pitch_range": s.meanPitchRange, "mean_pitch": s.meanPitch,
         "pitch_class_histogram": s.pitchClassHistogram, "downbeat_share": s.downbeatShare, "on_beat_share": s.onBeatShare,
         "repeated_bar_share": s.repeatedBarShare]
    }
}
