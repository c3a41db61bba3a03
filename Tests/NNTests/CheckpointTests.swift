// Checkpoints: LSTMModel <-> safetensors with PyTorch's names and shapes, metadata round
// trips, PyTorch-written files (no Cadenza metadata) loading with sizes from the shapes and
// the same loss as PyTorch, clear errors for missing or misshapen tensors, and optimizer
// state that makes a resumed run identical to an uninterrupted one.
import Foundation
import Testing
import TestSupport
@testable import NN

@Suite struct CheckpointTests {
    static let fixtures = Fixtures.url("checkpoints")

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func allParameters(_ model: LSTMModel) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.tensorNames().map { name in (name, model.withTensor(named: name) { Array($0) }) })
    }

    /// Mean next-token NLL of sequences, each from a zero state, with the one-token engine.
    static func meanNLL(_ model: LSTMModel, _ sequences: [[Int]]) -> Double {
        let inference = LSTMInference(model: model)
        var logits = [Float](repeating: 0, count: model.configuration.vocabularySize)
        var total = 0.0, count = 0
        for seq in sequences {
            var state = inference.makeState()
            for t in 0..<(seq.count - 1) {
                logits.withUnsafeMutableBufferPointer { inference.step(token: seq[t], state: &state, logits: $0) }
                let m = Double(logits.max()!)
                let logZ = m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) })
                total += logZ - Double(logits[seq[t + 1]])
                count += 1
            }
        }
        return total / Double(count)
    }

    @Test func f32RoundTripIsExactWithPyTorchNamesAndMetadata() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 11, embeddingSize: 5, hiddenSize: 7, layers: 3, dropout: 0.25), seed: 3)
        var meta = CheckpointMetadata()
        meta.vocabularyJSON = "{\"tokens\":[\"BAR\",\"POS_0\"],\"grid\":12}"
        meta.hyperParameters = ["lr": "0.001", "batch-size": "4"]
        meta.corpusFileCount = 8
        meta.corpusHash = "abc123"
        meta.tokensSeen = 123_456
        meta.epochs = 2.5
        meta.validationLoss = 1.875
        meta.createdBy = "cadenza test"
        meta.extra = ["note": "kept"]
        let url = dir.appendingPathComponent("m.safetensors")
        try Checkpoint.save(model: model, metadata: meta, to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        #expect(Set(file.tensorNames) == Set([
            "embedding.weight", "head.weight", "head.bias",
        ] + (0..<3).flatMap { k in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { "lstm.\($0)_l\(k)" } }))
        #expect(file.entry("lstm.weight_ih_l0")?.shape == [28, 5])
        #expect(file.entry("lstm.weight_ih_l2")?.shape == [28, 7])
        #expect(file.entry("head.weight")?.shape == [11, 7])
        #expect(file.metadata["format"] == "pt")

        let loaded = try Checkpoint.load(from: url)
        #expect(loaded.model.configuration == model.configuration)
        #expect(Self.allParameters(loaded.model) == Self.allParameters(model))
        var expected = meta
        expected.dropout = 0.25
        expected.isCadenza = true
        #expect(loaded.metadata == expected)
        #expect(loaded.storedDType == .f32)
    }

    @Test func halfPrecisionSavesRoundEachWeight() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 9, embeddingSize: 4, hiddenSize: 6, layers: 2), seed: 5)
        for dtype in [SafeTensorsDType.f16, .bf16] {
            let url = dir.appendingPathComponent("m-\(dtype.rawValue).safetensors")
            try Checkpoint.save(model: model, metadata: CheckpointMetadata(), to: url, dtype: dtype)
            let loaded = try Checkpoint.load(from: url)
            #expect(loaded.storedDType == dtype)
            for (name, values) in Self.allParameters(model) {
                let got = loaded.model.withTensor(named: name) { Array($0) }
                let rounded = values.map {
                    dtype == .f16 ? HalfPrecision.floatFromF16(HalfPrecision.f16FromFloat($0)) : HalfPrecision.floatFromBF16(HalfPrecision.bf16FromFloat($0))
                }
                #expect(got == rounded, "\(name)")
            }
        }
    }

    @Test func pyTorchCheckpointLoadsAndGivesPyTorchsLoss() throws {
        for (model, expectedFile) in [("torch_tiny.safetensors", "torch_tiny_expected.json"), ("torch_tiny_f16.safetensors", "torch_tiny_f16_expected.json")] {
            let checkpoint = try Checkpoint.load(from: Self.fixtures.appendingPathComponent(model))
            #expect(checkpoint.model.configuration == LSTMConfiguration(vocabularySize: 20, embeddingSize: 6, hiddenSize: 8, layers: 2))
            #expect(!checkpoint.metadata.isCadenza)
            let tokens = try JSONDecoder().decode([[Int]].self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("torch_tiny_tokens.json")))
            struct Expected: Decodable { var mean_nll: Double; var num_predictions: Int }
            let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent(expectedFile)))
            let nll = Self.meanNLL(checkpoint.model, tokens)
            #expect(abs(nll - expected.mean_nll) / expected.mean_nll < 1e-5, "\(model): \(nll) vs PyTorch \(expected.mean_nll)")
        }
    }

    /// Rewrites the PyTorch fixture with one tensor changed by `edit` (nil removes it).
    static func variant(_ edit: (String, inout [Int], inout [Float]) -> Bool) throws -> Data {
        let file = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent("torch_tiny.safetensors"))
        var writer = SafeTensorsWriter(metadata: file.metadata)
        for entry in file.entries {
            var shape = entry.shape
            var values = try file.floats(entry.name)
            if edit(entry.name, &shape, &values) { try writer.add(entry.name, shape: shape, values: values) }
        }
        return writer.encoded()
    }

    static func loadError(_ data: Data) throws -> CheckpointError? {
        do {
            _ = try Checkpoint.load(SafeTensorsFile(data: data), path: "x.safetensors")
            return nil
        } catch let e as CheckpointError {
            return e
        }
    }

    @Test func missingTensorIsNamed() throws {
        for missing in ["head.bias", "lstm.bias_hh_l1", "embedding.weight", "lstm.weight_hh_l0"] {
            let e = try Self.loadError(Self.variant { name, _, _ in name != missing })
            #expect(e == .missingTensor(path: "x.safetensors", name: missing), "\(missing): \(String(describing: e))")
        }
        // Without layer 0 at all, layer 1's tensors are above a gap.
        let e = try Self.loadError(Self.variant { name, _, _ in !name.hasSuffix("_l0") })
        #expect(e != nil)
    }

    @Test func wrongShapeIsNamedWithBothShapes() throws {
        let e = try Self.loadError(Self.variant { name, shape, values in
            if name == "head.weight" { shape = [8, 20] }
            return true
        })
        #expect(e == .wrongShape(path: "x.safetensors", name: "head.weight", found: [8, 20], expected: [20, 8]))
        #expect(e?.description.contains("head.weight") == true)
        let e2 = try Self.loadError(Self.variant { name, shape, values in
            if name == "lstm.bias_ih_l1" { shape = [31]; values.removeLast() }
            return true
        })
        #expect(e2 == .wrongShape(path: "x.safetensors", name: "lstm.bias_ih_l1", found: [31], expected: [32]))
        let e3 = try Self.loadError(Self.variant { name, shape, values in
            if name == "lstm.weight_hh_l0" { shape = [32, 7]; values.removeLast(32) }
            return true
        })
        #expect(e3 != nil)
        let e4 = try Self.loadError(Self.variant { name, _, values in
            if name == "head.bias" { values[3] = .nan }
            return true
        })
        #expect(e4 == .nonFiniteValue(path: "x.safetensors", name: "head.bias"))
    }

    @Test func metadataContradictingTheShapesIsRejected() throws {
        func saved(_ model: String) throws -> Data {
            let file = try SafeTensorsFile(data: Self.variant { _, _, _ in true })
            var metadata = file.metadata
            metadata["model"] = model
            var writer = SafeTensorsWriter(metadata: metadata)
            for entry in file.entries { try writer.add(entry.name, shape: entry.shape, values: file.floats(entry.name)) }
            return writer.encoded()
        }
        // The fixture is V=20, E=6, H=8, L=2.
        #expect(try Self.loadError(saved("{\"V\":20,\"E\":6,\"H\":8,\"L\":2}")) == nil)
        let v = try Self.loadError(saved("{\"V\":70000,\"E\":6,\"H\":8,\"L\":2}"))
        #expect(v?.description == "x.safetensors: the metadata says V=70000 but the tensors have 20 rows of embedding.weight; the file contradicts itself")
        let l = try Self.loadError(saved("{\"L\":3}"))
        #expect(l?.description == "x.safetensors: the metadata says L=3 but the tensors have 2 LSTM layers; the file contradicts itself")
        let h = try Self.loadError(saved("{\"H\":16}"))
        #expect(h == .mismatch(path: "x.safetensors", detail: "the metadata says H=16 but the tensors have 8 columns of lstm.weight_hh_l0; the file contradicts itself"))
        let bad = try Self.loadError(saved("{\"V\":\"many\"}"))
        #expect(bad == .badMetadata(key: "model", detail: "V must be a positive integer, not many"))
    }

    @Test func corruptFileErrorsNameThePath() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.safetensors")
        let good = try Data(contentsOf: Self.fixtures.appendingPathComponent("torch_tiny.safetensors"))
        try good.prefix(good.count / 2).write(to: url)
        #expect { try Checkpoint.load(from: url) } throws: { error in
            guard let e = error as? CheckpointError, case .invalidFile(let path, _) = e else { return false }
            return path == url.path && e.description.contains("truncated")
        }
    }

    /// A FIFO or a device is refused before it is opened (reading one blocked or said
    /// "permission denied"); a save keeps the system's reason.
    @Test func onlyRegularFilesAreLoadedAndSaveErrorsKeepTheirReason() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo.safetensors")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for url in [fifo, URL(fileURLWithPath: "/dev/zero")] {
            #expect { try Checkpoint.load(from: url) } throws: { error in
                "\(error)" == "cannot read \(url.path): is not a regular file"
            }
        }
        let model = LSTMModel(configuration: LSTMConfiguration(vocabularySize: 8, embeddingSize: 4, hiddenSize: 4, layers: 1), seed: 1)
        let missing = dir.appendingPathComponent("none/last.safetensors")
        #expect { try Checkpoint.save(model: model, metadata: CheckpointMetadata(), to: missing) } throws: { error in
            "\(error)" == "cannot write \(missing.path): cannot create a file in \(dir.path)/none: No such file or directory"
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["fifo.safetensors"])
    }

    @Test func optimizerStateMakesResumeIdentical() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = LSTMConfiguration(vocabularySize: 13, embeddingSize: 4, hiddenSize: 6, layers: 2, dropout: 0.2)
        let (B, T) = (3, 5)
        var data = SplitMix64(seed: 9)
        let batches: [([Int32], [Int32])] = (0..<6).map { _ in
            let tokens = (0..<(B * (T + 1))).map { _ in Int32(data.next() % 13) }
            var inputs: [Int32] = [], targets: [Int32] = []
            for b in 0..<B {
                let start: Int = b * (T + 1)
                inputs.append(contentsOf: tokens[start..<(start + T)])
                targets.append(contentsOf: tokens[(start + 1)..<(start + T + 1)])
            }
            return (inputs, targets)
        }
        func trainer(_ model: LSTMModel) -> LSTMTrainer {
            let t = LSTMTrainer(model: model, batchSize: B, sequenceLength: T, seed: 77)
            t.carriesState = true
            return t
        }
        let straight = trainer(LSTMModel(configuration: config, seed: 1))
        for (x, y) in batches { straight.trainStep(inputs: x, targets: y, learningRate: 0.01) }

        let first = trainer(LSTMModel(configuration: config, seed: 1))
        for (x, y) in batches.prefix(3) { first.trainStep(inputs: x, targets: y, learningRate: 0.01) }
        let url = dir.appendingPathComponent("m.safetensors")
        try Checkpoint.save(model: first.model, metadata: CheckpointMetadata(), to: url)
        try OptimizerState.save(trainer: first, progress: ["batch": "3"], to: OptimizerState.url(forCheckpoint: url))
        #expect(OptimizerState.url(forCheckpoint: url).lastPathComponent == "m.optim.safetensors")

        let resumed = trainer(try Checkpoint.load(from: url).model)
        let progress = try OptimizerState.load(into: resumed, from: OptimizerState.url(forCheckpoint: url))
        #expect(progress == ["batch": "3"])
        #expect(resumed.step == 3)
        for (x, y) in batches.suffix(3) { resumed.trainStep(inputs: x, targets: y, learningRate: 0.01) }
        #expect(Self.allParameters(resumed.model) == Self.allParameters(straight.model))

        // A trainer with another batch size cannot take the carried state.
        let other = LSTMTrainer(model: LSTMModel(configuration: config, seed: 1), batchSize: B + 1, sequenceLength: T, seed: 77)
        #expect(throws: CheckpointError.self) { try OptimizerState.load(into: other, from: OptimizerState.url(forCheckpoint: url)) }
        // A model file is not an optimizer state file.
        #expect(throws: CheckpointError.self) { try OptimizerState.load(into: resumed, from: url) }
    }
}
