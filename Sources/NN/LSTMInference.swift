// One-token inference for sampling: token in, logits out, (h, c) per layer carried in a value
// type the caller can copy and restore. The weights are repacked once at init for sgemv:
// layer 0's input projection becomes a table (V, G) looked up by token, and each higher layer
// multiplies [x | h] by [W_ih | W_hh] in one sgemv. A step allocates nothing.
//
// Legend: V vocabulary, E embedding, H hidden, G = 4H, L layers.

/// The recurrent state of one stream: h and c of every layer, (L, H) each, zeros at the start.
/// A value: copying it snapshots the stream (the composer keeps one per bar).
public struct LSTMState: Equatable, Sendable {
    public var h: [Float]
    public var c: [Float]

    public init(layers: Int, hiddenSize: Int) {
        h = Array(repeating: 0, count: layers * hiddenSize)
        c = h
    }
}

public final class LSTMInference {
    public let configuration: LSTMConfiguration
    let inputTable: FloatBuffer  // (V, G) embedding @ W_ih0^T + b_ih0 + b_hh0
    let recurrent0: FloatBuffer  // (G, H) W_hh of layer 0
    let fused: [FloatBuffer]  // layers 1..<L: (G, 2H) [W_ih | W_hh]
    let fusedBias: [FloatBuffer]  // layers 1..<L: (G) b_ih + b_hh
    let headWeight: FloatBuffer  // (V, H)
    let headBias: FloatBuffer  // (V)
    let z: FloatBuffer  // (G) gate pre-activations of the current layer
    let xh: FloatBuffer  // (2H) [x | h] of the current layer

    /// Snapshots the model's weights: later changes to the model need a new LSTMInference.
    /// One step at a time per instance (the scratch buffers are shared between calls).
    public init(model: LSTMModel) {
        let cfg = model.configuration
        configuration = cfg
        let (V, E, H, L) = (cfg.vocabularySize, cfg.embeddingSize, cfg.hiddenSize, cfg.layers)
        let G = 4 * H
        let layout = model.layout
        let p = model.parameters.pointer

        // inputTable[v] = embedding[v] @ W_ih0^T + b_ih0 + b_hh0                       (V, G)
        inputTable = FloatBuffer(count: V * G)
        for v in 0..<V {
            for j in 0..<G { inputTable[v * G + j].pointee = p[layout.biasIH[0] + j] + p[layout.biasHH[0] + j] }
        }
        BLAS.gemm(inputTable.pointer, ldc: G, p + layout.embedding, lda: E, transA: false,
                  p + layout.weightIH[0], ldb: E, transB: true, m: V, n: G, k: E, beta: 1)
        recurrent0 = FloatBuffer(count: G * H)
        recurrent0.pointer.update(from: p + layout.weightHH[0], count: G * H)

        var fused: [FloatBuffer] = [], fusedBias: [FloatBuffer] = []
        for k in 1..<max(L, 1) {
            let w = FloatBuffer(count: G * 2 * H), bias = FloatBuffer(count: G)
            for r in 0..<G {
                w[r * 2 * H].update(from: p + layout.weightIH[k] + r * H, count: H)
                w[r * 2 * H + H].update(from: p + layout.weightHH[k] + r * H, count: H)
                bias[r].pointee = p[layout.biasIH[k] + r] + p[layout.biasHH[k] + r]
            }
            fused.append(w)
            fusedBias.append(bias)
        }
        self.fused = fused
        self.fusedBias = fusedBias
        headWeight = FloatBuffer(count: V * H)
        headWeight.pointer.update(from: p + layout.headWeight, count: V * H)
        headBias = FloatBuffer(count: V)
        headBias.pointer.update(from: p + layout.headBias, count: V)
        z = FloatBuffer(count: G)
        xh = FloatBuffer(count: 2 * H)
    }

    /// The zero state a stream starts from.
    public func makeState() -> LSTMState { LSTMState(layers: configuration.layers, hiddenSize: configuration.hiddenSize) }

    /// Feeds one token: updates `state` and writes the next-token logits (V).
    /// Preconditions: 0 <= token < V, logits.count == V, state made for this model.
    public func step(token: Int, state: inout LSTMState, logits: UnsafeMutableBufferPointer<Float>) {
        let (V, H, L) = (configuration.vocabularySize, configuration.hiddenSize, configuration.layers)
        let G = 4 * H
        precondition(token >= 0 && token < V, "token \(token) outside the vocabulary 0..<\(V)")
        precondition(logits.count == V, "logits must hold \(V) values")
        precondition(state.h.count == L * H && state.c.count == L * H, "state made for another model")
        let z = self.z.pointer, xh = self.xh.pointer
        state.h.withUnsafeMutableBufferPointer { hAll in
            state.c.withUnsafeMutableBufferPointer { cAll in
                let hAll = hAll.baseAddress!, cAll = cAll.baseAddress!
                // Layer 0: z = table[token] + W_hh0 @ h                                     (G)
                z.update(from: inputTable[token * G], count: G)
                BLAS.gemv(z, recurrent0.pointer, lda: H, transA: false, m: G, n: H, hAll, beta: 1)
                LSTMCell.forward(gates: z, c: cAll, tanhC: nil, h: hAll, cPrev: cAll, bias: nil, rows: 1, hidden: H)
                // Layer k: z = [W_ih | W_hh] @ [h_{k-1} | h_k] + b                          (G)
                for k in 1..<max(L, 1) {
                    let h = hAll + k * H, c = cAll + k * H
                    xh.update(from: h - H, count: H)
                    (xh + H).update(from: h, count: H)
                    z.update(from: fusedBias[k - 1].pointer, count: G)
                    BLAS.gemv(z, fused[k - 1].pointer, lda: 2 * H, transA: false, m: G, n: 2 * H, xh, beta: 1)
                    LSTMCell.forward(gates: z, c: c, tanhC: nil, h: h, cPrev: c, bias: nil, rows: 1, hidden: H)
                }
                // Head: logits = head.weight @ h_{L-1} + head.bias                         (V)
                let out = logits.baseAddress!
                out.update(from: headBias.pointer, count: V)
                BLAS.gemv(out, headWeight.pointer, lda: H, transA: false, m: V, n: H, hAll + (L - 1) * H, beta: 1)
            }
        }
    }
}
