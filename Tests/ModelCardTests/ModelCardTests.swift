// The model card measured end to end on the committed fixtures with the tiny fixture
// checkpoint: the split, the losses and baselines, the music statistics, and both
// printed forms (Markdown sections and a JSON object JSON can encode).
import Foundation
import Generation
import Testing
import TestSupport
@testable import ModelCard

@Suite struct ModelCardTests {
    @Test func measuresTheCardOfACheckpointOnItsCorpus() throws {
        let folder = try TemporaryFolder("card")
        defer { folder.remove() }
        for name in ["chpn-p7.mid", "bor_ps5.mid", "clementi_opus36_3_2.mid", "mendel_op19_6.mid", "scn15_13.mid"] {
            try FileManager.default.copyItem(at: Fixtures.url(name), to: folder.file(name))
        }
        try Data("MThd broken".utf8).write(to: folder.file("broken.mid"))
        let checkpoint = Fixtures.url("checkpoints/generation_tiny.safetensors")
        let loaded = try LoadedModel.load(from: checkpoint)
        var request = ModelCardRequest()
        request.pieces = 2
        request.bars = 2
        request.windowPieces = 0
        request.regenerationPieces = 0
        request.validationFraction = 0.4
        request.threads = 1
        var stages: [String] = []
        let card = try ModelCard.measure(loaded, checkpointPath: checkpoint.path, data: folder.url, request: request) { stages.append($0) }
        #expect(card.trainingFiles + card.validationFiles == 5)
        #expect(card.validationFiles == 2)
        #expect(card.skipped.map(\.relativePath) == ["broken.mid"])
        #expect(card.lstm.predictions == card.validationTokens - card.validationFiles)
        #expect(card.bigramNLL.isFinite && card.unigramNLL.isFinite && card.lstm.meanNLL.isFinite)
        #expect(card.music.pieces == 2)
        #expect(card.windowComparison == nil && card.regeneration.regenerations == 0)
        #expect(stages.first?.hasPrefix("tokenizing") == true)

        let markdown = card.markdown()
        for heading in ["### Checkpoint generation_tiny.safetensors", "### Held-out loss (2 validation files", "| add-one bigram |", "### Music statistics: 2 generated pieces of 2 bars"] {
            #expect(markdown.contains(heading), "the card lacks \(heading)")
        }
        #expect(!markdown.contains("### Coherent regeneration"))
        let json = try JSONSerialization.data(withJSONObject: card.dictionary, options: [.sortedKeys])
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["validation_files"] as? Int == 2)
        #expect((object["nll"] as? [String: Any])?["bigram_add_one"] is Double)
    }
}
