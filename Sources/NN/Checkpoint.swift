// An LSTMModel <-> a safetensors checkpoint with PyTorch's names and shapes
// (embedding.weight [V,E], lstm.weight_ih_l{k} [4H,in], lstm.weight_hh_l{k} [4H,H],
// lstm.bias_ih_l{k} / lstm.bias_hh_l{k} [4H], head.weight [V,H], head.bias [V]).
// V, E, H, L come from the shapes, so a file without Cadenza's metadata (e.g. written by
// PyTorch) loads too. Optimizer state lives in OptimizerState.swift.
import Foundation

public struct Checkpoint {
    public var model: LSTMModel
    public var metadata: CheckpointMetadata
    /// The dtype the weights were stored in (of embedding.weight).
    public var storedDType: SafeTensorsDType

    public init(model: LSTMModel, metadata: CheckpointMetadata, storedDType: SafeTensorsDType = .f32) {
        self.model = model
        self.metadata = metadata
        self.storedDType = storedDType
    }

    /// Writes the model atomically, weights stored as `dtype` (F32, F16 or BF16).
    public static func save(model: LSTMModel, metadata: CheckpointMetadata, to url: URL, dtype: SafeTensorsDType = .f32) throws {
        var writer = SafeTensorsWriter(metadata: metadata.encoded(configuration: model.configuration))
        for name in model.tensorNames() {
            try model.withTensor(named: name) { values in
                try writer.add(name, shape: model.shape(of: name)!, values: UnsafeBufferPointer(values), dtype: dtype)
            }
        }
        do {
            try writer.write(to: url)
        } catch let e as SafeTensorsError {
            throw CheckpointError.invalidFile(path: url.path, e)
        }
    }

    public func save(to url: URL, dtype: SafeTensorsDType = .f32) throws {
        try Self.save(model: model, metadata: metadata, to: url, dtype: dtype)
    }

    public static func load(from url: URL) throws -> Checkpoint {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: url)
        } catch let e as SafeTensorsError {
            throw CheckpointError.invalidFile(path: url.path, e)
        }
        return try load(file, path: url.path)
    }

    /// The sizes a file's tensors imply, checked against each other.
    public static func configuration(of file: SafeTensorsFile, path: String) throws -> LSTMConfiguration {
        func shape(_ name: String) throws -> [Int] {
            guard let e = file.entry(name) else { throw CheckpointError.missingTensor(path: path, name: name) }
            return e.shape
        }
        let embedding = try shape("embedding.weight")
        guard embedding.count == 2, embedding[0] > 0, embedding[1] > 0 else {
            throw CheckpointError.notAModel(path: path, detail: "embedding.weight has shape \(embedding), expected [V, E] with V, E > 0")
        }
        let hh0 = try shape("lstm.weight_hh_l0")
        guard hh0.count == 2, hh0[1] > 0, hh0[0] == 4 * hh0[1] else {
            throw CheckpointError.notAModel(path: path, detail: "lstm.weight_hh_l0 has shape \(hh0), expected [4H, H] with H > 0")
        }
        var layers = 0
        while file.entry("lstm.weight_ih_l\(layers)") != nil || file.entry("lstm.weight_hh_l\(layers)") != nil { layers += 1 }
        // A tensor of a layer above a gap (l0, l2) means the layers are not numbered l0..l(L-1).
        for entry in file.entries where entry.name.hasPrefix("lstm.") {
            if let marker = entry.name.range(of: "_l", options: .backwards), let k = Int(entry.name[marker.upperBound...]), k >= layers {
                throw CheckpointError.notAModel(path: path, detail: "tensor '\(entry.name)' but no layer \(layers) (layers must be l0..l(L-1))")
            }
        }
        return LSTMConfiguration(vocabularySize: embedding[0], embeddingSize: embedding[1], hiddenSize: hh0[1], layers: layers)
    }

    /// The metadata's V, E, H, L must be what the shapes say: a file that contradicts itself
    /// was edited or written by a broken tool, and either reading of it could be wrong.
    static func checkDeclaredSizes(_ file: SafeTensorsFile, _ c: LSTMConfiguration, path: String) throws {
        let actual: [(String, Int, String)] = [
            ("V", c.vocabularySize, "rows of embedding.weight"), ("E", c.embeddingSize, "columns of embedding.weight"),
            ("H", c.hiddenSize, "columns of lstm.weight_hh_l0"), ("L", c.layers, "LSTM layers"),
        ]
        let declared = try CheckpointMetadata.declaredSizes(file.metadata)
        for (key, size, what) in actual {
            if let stated = declared[key], stated != size {
                throw CheckpointError.mismatch(path: path, detail: "the metadata says \(key)=\(stated) but the tensors have \(size) \(what); the file contradicts itself")
            }
        }
    }

    public static func load(_ file: SafeTensorsFile, path: String) throws -> Checkpoint {
        var configuration = try configuration(of: file, path: path)
        let metadata = try CheckpointMetadata.decode(file.metadata)
        try checkDeclaredSizes(file, configuration, path: path)
        configuration.dropout = metadata.dropout ?? 0
        // Every expected tensor must be present with exactly its shape before anything is allocated.
        let layout = ParameterLayout(configuration)
        for t in layout.tensors {
            guard let entry = file.entry(t.name) else { throw CheckpointError.missingTensor(path: path, name: t.name) }
            guard entry.shape == t.shape else {
                throw CheckpointError.wrongShape(path: path, name: t.name, found: entry.shape, expected: t.shape)
            }
            guard [.f32, .f16, .bf16, .f64].contains(entry.dtype) else {
                throw CheckpointError.invalidFile(path: path, .unsupportedDType(tensor: t.name, dtype: entry.dtype.rawValue))
            }
        }
        let model = LSTMModel(configuration: configuration, seed: 0)
        for t in layout.tensors {
            try model.withTensor(named: t.name) { buffer in
                do {
                    try file.readFloats(t.name, into: buffer)
                } catch let e as SafeTensorsError {
                    throw CheckpointError.invalidFile(path: path, e)
                }
                if !buffer.allSatisfy({ $0.isFinite }) { throw CheckpointError.nonFiniteValue(path: path, name: t.name) }
            }
        }
        return Checkpoint(model: model, metadata: metadata, storedDType: file.entry("embedding.weight")!.dtype)
    }
}
