// Shared test fixtures: the real tokenizer (with two styles) and a small real LSTM with
// random weights, plus helpers that replay a session's tokens from scratch.
import Foundation
import TestSupport
import MIDI
import NN
import Tokenization
@testable import Generation

enum TestModels {
    static let tokenizer = Tokenizer(configuration: .default, styles: ["bach", "chopin"])

    static func model(seed: UInt64 = 1, hidden: Int = 32, layers: Int = 2) -> LSTMModel {
        LSTMModel(configuration: LSTMConfiguration(vocabularySize: tokenizer.vocabulary.count, embeddingSize: 16,
                                                   hiddenSize: hidden, layers: layers), seed: seed)
    }

    static func session(seed: UInt64 = 7, style: String? = nil, model: LSTMModel = TestModels.sharedModel,
                        settings: SamplingSettings = .default) throws -> CompositionSession {
        let s = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: "test.safetensors", style: style,
                                       settings: settings, seed: seed)
        // A random-weight model rarely writes BAR; short bars keep the tests fast (and
        // exercise the forced bar end).
        s.maximumTokensPerBar = maximumTokensPerBar
        return s
    }

    static let maximumTokensPerBar = 40

    static let sharedModel = model()

    static let fixtures = Fixtures.directory

    static func fixtureScore(_ name: String) throws -> PianoScore {
        PianoScore(midi: try MIDIFile(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// The LSTM state after feeding `tokens` from the zero state: what a session's end must equal.
    static func replayState(_ tokens: [Int], model: LSTMModel = TestModels.sharedModel) -> LSTMState {
        let inference = LSTMInference(model: model)
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: model.configuration.vocabularySize)
        logits.withUnsafeMutableBufferPointer { buffer in
            for t in tokens { inference.step(token: t, state: &state, logits: buffer) }
        }
        return state
    }

    /// Tokens of each accepted bar (selected takes).
    static func barTokens(_ session: CompositionSession) -> [[Int]] {
        session.bars.map(\.tokens)
    }
}
