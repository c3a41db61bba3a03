// The language model's parameters: one contiguous Float32 buffer laid out by ParameterLayout,
// initialised like PyTorch (embedding N(0,1); LSTM and head U(-1/sqrt(H), 1/sqrt(H))) from a
// seed, and reachable by PyTorch tensor name for checkpoints. No math here: training is in
// LSTMTrainer.swift, one-token inference in LSTMInference.swift.

public final class LSTMModel {
    public let configuration: LSTMConfiguration
    public let layout: ParameterLayout
    /// (P) all parameters; views at the layout's offsets.
    let parameters: FloatBuffer

    /// A freshly initialised model. Precondition: `configuration.isValid`.
    public init(configuration: LSTMConfiguration, seed: UInt64) {
        self.configuration = configuration
        layout = ParameterLayout(configuration)
        parameters = FloatBuffer(count: layout.count)
        var rng = SplitMix64(seed: seed)
        let bound = 1 / Float(configuration.hiddenSize).squareRoot()
        for t in layout.tensors {
            let p = parameters[t.offset]
            if t.name == "embedding.weight" {
                for i in 0..<t.count { p[i] = rng.nextGaussian() }
            } else {
                for i in 0..<t.count { p[i] = rng.nextFloat(in: -bound, bound) }
            }
        }
    }

    /// Tensor names in checkpoint order.
    public func tensorNames() -> [String] { layout.tensors.map(\.name) }

    /// PyTorch shape of a tensor, or nil for a name the model does not have.
    public func shape(of name: String) -> [Int]? { layout.tensor(named: name)?.shape }

    /// Number of trainable parameters (without alignment padding).
    public var parameterCount: Int { layout.tensors.reduce(0) { $0 + $1.count } }

    /// Reads or writes one tensor in place (row-major, PyTorch layout). Precondition: the name exists.
    public func withTensor<R>(named name: String, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let t = layout.tensor(named: name) else { preconditionFailure("no tensor named \(name)") }
        return try body(UnsafeMutableBufferPointer(start: parameters[t.offset], count: t.count))
    }

    /// Rounds every parameter to what a checkpoint stored as `dtype` holds (to nearest, ties to
    /// even, as Checkpoint.save writes it): the model `cadenza train --dtype f16` leaves.
    public func roundParameters(as dtype: SafeTensorsDType) {
        let p = parameters.pointer
        switch dtype {
        case .f16: for i in 0..<layout.count { p[i] = HalfPrecision.floatFromF16(HalfPrecision.f16FromFloat(p[i])) }
        case .bf16: for i in 0..<layout.count { p[i] = HalfPrecision.floatFromBF16(HalfPrecision.bf16FromFloat(p[i])) }
        default: break  // F32 and F64 hold a Float as it is
        }
    }

    /// The whole parameter buffer (layout.count Floats, padding included).
    public func withParameters<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: parameters.pointer, count: layout.count))
    }

}
