// EngineAgreement, the self-check `cadenza bench` runs in the release build: it passes on
// real models (F32, and F16-valued weights that inference packs as F16) and reports a model
// whose inference and training disagree.
import Testing
@testable import NN

@Suite struct EngineAgreementTests {
    static let configuration = LSTMConfiguration(vocabularySize: 37, embeddingSize: 12, hiddenSize: 40, layers: 2, dropout: 0.1)

    @Test func aModelAgreesWithItselfInF32AndF16() {
        let model = LSTMModel(configuration: Self.configuration, seed: 5)
        let f32 = EngineAgreement.check(model: model, tokens: 60)
        #expect(f32.agrees, "\(f32.summary)")
        #expect(f32.tokens == 59)
        #expect(f32.maxLossDifference < 1e-5)
        model.roundParameters(as: .f16)
        #expect(LSTMInference(model: model).recurrentPrecision == "f16")
        let f16 = EngineAgreement.check(model: model, tokens: 60)
        #expect(f16.agrees, "\(f16.summary)")
    }

    @Test func aDisagreementIsReported() {
        let reference = LSTMModel(configuration: Self.configuration, seed: 5)
        let other = LSTMModel(configuration: Self.configuration, seed: 5)
        other.withTensor(named: "head.bias") { $0[3] += 0.5 }
        let report = EngineAgreement.check(reference: reference, inference: other, tokens: 40, seed: 11)
        #expect(!report.agrees)
        #expect(report.maxLossDifference > EngineAgreementReport.tolerance)
        #expect(report.sameBitsAtEveryThreadCount && report.batchedSameBitsAsSingle)
        #expect(report.summary.contains("losses differ"))
    }
}
