// The optimizer state that makes `--resume` exact, in `<checkpoint>.optim.safetensors`:
// Adam's moments (exp_avg.<tensor>, exp_avg_sq.<tensor>, F32, PyTorch's state names), the
// carried BPTT state (train_state.h / train_state.c, (L, B, H)), and in the metadata the Adam
// step, the dropout RNG state, and the caller's progress map (data position, its own RNG).
import Foundation

public enum OptimizerState {
    /// `dir/name.safetensors` -> `dir/name.optim.safetensors`.
    public static func url(forCheckpoint url: URL) -> URL {
        let base = url.deletingPathExtension()
        return base.appendingPathExtension("optim.safetensors")
    }

    public static func save(trainer: LSTMTrainer, progress: [String: String], to url: URL) throws {
        var metadata: [String: String] = [:]
        for (k, v) in progress { metadata["progress.\(k)"] = v }
        metadata["cadenza_optimizer"] = "1"
        metadata["step"] = String(trainer.step)
        metadata["rng_state"] = String(trainer.rng.state)
        metadata["carries_state"] = trainer.carriesState ? "1" : "0"
        var writer = SafeTensorsWriter(metadata: metadata)
        for name in trainer.optimizerTensorNames() {
            let shape = trainer.model.shape(of: String(name.drop { $0 != "." }.dropFirst()))!
            try trainer.withOptimizerTensor(named: name) { values in
                try writer.add(name, shape: shape, values: UnsafeBufferPointer(values))
            }
        }
        let state = trainer.trainingState
        let shape = [state.layers, state.batchSize, state.hiddenSize]
        try writer.add("train_state.h", shape: shape, values: state.h)
        try writer.add("train_state.c", shape: shape, values: state.c)
        do {
            try writer.write(to: url)
        } catch let e as SafeTensorsError {
            throw CheckpointError.invalidFile(path: url.path, e)
        }
    }

    /// Restores the trainer's moments, step, RNG and carried state; returns the progress map.
    /// The trainer must have the same model shape and batch size as the one that saved.
    @discardableResult
    public static func load(into trainer: LSTMTrainer, from url: URL) throws -> [String: String] {
        let path = url.path
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: url)
        } catch let e as SafeTensorsError {
            throw CheckpointError.invalidFile(path: path, e)
        }
        let m = file.metadata
        guard m["cadenza_optimizer"] == "1" else {
            throw CheckpointError.notAModel(path: path, detail: "not a Cadenza optimizer state file (no cadenza_optimizer metadata)")
        }
        guard let step = m["step"].flatMap({ Int($0) }), step >= 0 else { throw CheckpointError.badMetadata(key: "step", detail: "missing or not a count") }
        guard let rng = m["rng_state"].flatMap({ UInt64($0) }) else { throw CheckpointError.badMetadata(key: "rng_state", detail: "missing or not a number") }
        // Check everything before changing the trainer.
        let stateShape = [trainer.model.configuration.layers, trainer.batchSize, trainer.model.configuration.hiddenSize]
        var expected: [(String, [Int])] = trainer.optimizerTensorNames().map {
            ($0, trainer.model.shape(of: String($0.drop { $0 != "." }.dropFirst()))!)
        }
        expected.append(("train_state.h", stateShape))
        expected.append(("train_state.c", stateShape))
        for (name, shape) in expected {
            guard let entry = file.entry(name) else { throw CheckpointError.missingTensor(path: path, name: name) }
            guard entry.shape == shape else {
                let hint = name.hasPrefix("train_state") ? " (resume with the same --batch-size)" : ""
                throw CheckpointError.mismatch(path: path, detail: "tensor '\(name)' has shape \(entry.shape), expected \(shape)\(hint)")
            }
            guard entry.dtype == .f32 else {
                throw CheckpointError.invalidFile(path: path, .unsupportedDType(tensor: name, dtype: entry.dtype.rawValue))
            }
        }
        do {
            for name in trainer.optimizerTensorNames() {
                try trainer.withOptimizerTensor(named: name) { try file.readFloats(name, into: $0) }
            }
            var state = trainer.makeBatchState()
            state.h = try file.floats("train_state.h")
            state.c = try file.floats("train_state.c")
            trainer.trainingState = state
        } catch let e as SafeTensorsError {
            throw CheckpointError.invalidFile(path: path, e)
        }
        trainer.step = step
        trainer.rng = SplitMix64(seed: rng)
        trainer.carriesState = m["carries_state"] == "1"
        var progress: [String: String] = [:]
        for (k, v) in m where k.hasPrefix("progress.") { progress[String(k.dropFirst("progress.".count))] = v }
        return progress
    }
}
