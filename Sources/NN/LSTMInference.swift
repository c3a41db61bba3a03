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
    // Gate rows are regrouped by team member: member p owns hidden units `units[p]` and its
    // rows are [i | f | g | o] of those units, contiguous from 4·units[p].lowerBound.
    let inputTable: FloatBuffer  // (V, G) embedding @ W_ih0^T + b_ih0 + b_hh0, regrouped columns
    let recurrent0: FloatBuffer  // (G, H) W_hh of layer 0, regrouped rows
    let fused: [FloatBuffer]  // layers 1..<L: (G, 2H) [W_ih | W_hh], regrouped rows
    let fusedBias: [FloatBuffer]  // layers 1..<L: (G) b_ih + b_hh, regrouped
    let headWeight: FloatBuffer  // (V, H)
    let headBias: FloatBuffer  // (V)
    let z: FloatBuffer  // (G) gate pre-activations of the current layer, regrouped
    let xh: FloatBuffer  // (2H) [x | h] of the current layer
    let hNext: FloatBuffer  // (H) the new h of the current layer
    let team: ThreadTeam
    let units: [Range<Int>]

    /// Snapshots the model's weights: later changes to the model need a new LSTMInference.
    /// One step at a time per instance (the scratch buffers are shared between calls).
    /// `threads` defaults to ComputeThreads.current.
    public init(model: LSTMModel, threads: Int? = nil) {
        let cfg = model.configuration
        configuration = cfg
        let (V, E, H, L) = (cfg.vocabularySize, cfg.embeddingSize, cfg.hiddenSize, cfg.layers)
        let G = 4 * H
        let layout = model.layout
        let p = model.parameters.pointer
        ComputeThreads.blasSingleThreaded
        team = ThreadTeam(size: max(1, min(threads ?? ComputeThreads.current, H / 8, 64)))
        let team = self.team
        units = (0..<team.size).map { team.share(H, $0, multiple: 8) }
        // regrouped row r' <- PyTorch row r
        var source = [Int]()
        for u in units { for g in 0..<4 { for j in u { source.append(g * H + j) } } }

        // inputTable[v] = embedding[v] @ W_ih0^T + b_ih0 + b_hh0                       (V, G)
        let table = FloatBuffer(count: V * G)
        for v in 0..<V {
            for j in 0..<G { table[v * G + j].pointee = p[layout.biasIH[0] + j] + p[layout.biasHH[0] + j] }
        }
        BLAS.gemm(table.pointer, ldc: G, p + layout.embedding, lda: E, transA: false,
                  p + layout.weightIH[0], ldb: E, transB: true, m: V, n: G, k: E, beta: 1)
        inputTable = FloatBuffer(count: V * G)
        for v in 0..<V { for r in 0..<G { inputTable[v * G + r].pointee = table[v * G + source[r]].pointee } }
        recurrent0 = FloatBuffer(count: G * H)
        for r in 0..<G { recurrent0[r * H].update(from: p + layout.weightHH[0] + source[r] * H, count: H) }

        var fused: [FloatBuffer] = [], fusedBias: [FloatBuffer] = []
        for k in 1..<max(L, 1) {
            let w = FloatBuffer(count: G * 2 * H), bias = FloatBuffer(count: G)
            for r in 0..<G {
                w[r * 2 * H].update(from: p + layout.weightIH[k] + source[r] * H, count: H)
                w[r * 2 * H + H].update(from: p + layout.weightHH[k] + source[r] * H, count: H)
                bias[r].pointee = p[layout.biasIH[k] + source[r]] + p[layout.biasHH[k] + source[r]]
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
        hNext = FloatBuffer(count: H)
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
        let z = self.z.pointer, xh = self.xh.pointer, hNext = self.hNext.pointer
        let out = logits.baseAddress!
        state.h.withUnsafeMutableBufferPointer { hAll in
            state.c.withUnsafeMutableBufferPointer { cAll in
                let hAll = hAll.baseAddress!, cAll = cAll.baseAddress!
                team.run { p in
                    let u = units[p]
                    let zp = z + 4 * u.lowerBound  // (4U) this member's [i|f|g|o]
                    let cell = LSTMCell.Layout(rows: 1, gateStride: 4 * u.count, gateBlock: u.count, stateStride: 0,
                                               units: 0..<u.count)
                    for k in 0..<L {
                        let h = hAll + k * H, c = cAll + k * H
                        if !u.isEmpty {
                            if k == 0 {
                                // Layer 0: z = table[token] + W_hh0 @ h                              (G)
                                zp.update(from: inputTable[token * G + 4 * u.lowerBound], count: 4 * u.count)
                                BLAS.gemv(zp, recurrent0[4 * u.lowerBound * H], lda: H, transA: false,
                                          m: 4 * u.count, n: H, h, beta: 1)
                            } else {
                                // Layer k: z = [W_ih | W_hh] @ [h_{k-1} | h_k] + b                   (G)
                                zp.update(from: fusedBias[k - 1][4 * u.lowerBound], count: 4 * u.count)
                                BLAS.gemv(zp, fused[k - 1][4 * u.lowerBound * 2 * H], lda: 2 * H, transA: false,
                                          m: 4 * u.count, n: 2 * H, xh, beta: 1)
                            }
                            LSTMCell.forward(gates: zp, c: c + u.lowerBound, tanhC: nil, h: hNext + u.lowerBound,
                                             cPrev: c + u.lowerBound, bias: nil, cell)
                        }
                        team.barrier()  // every member has read h_k and written its part of hNext
                        if !u.isEmpty {
                            (h + u.lowerBound).update(from: hNext + u.lowerBound, count: u.count)
                            if k + 1 < L {
                                // the next layer's input: [h_k (new) | h_{k+1} (old)]
                                (xh + u.lowerBound).update(from: hNext + u.lowerBound, count: u.count)
                                (xh + H + u.lowerBound).update(from: h + H + u.lowerBound, count: u.count)
                            }
                        }
                        team.barrier()
                    }
                    // Head: logits = head.weight @ h_{L-1} + head.bias, member p on its rows   (V)
                    let rows = team.share(V, p)
                    if !rows.isEmpty {
                        (out + rows.lowerBound).update(from: headBias[rows.lowerBound], count: rows.count)
                        BLAS.gemv(out + rows.lowerBound, headWeight[rows.lowerBound * H], lda: H, transA: false,
                                  m: rows.count, n: H, hAll + (L - 1) * H, beta: 1)
                    }
                }
            }
        }
    }
}
