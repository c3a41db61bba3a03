// One-token inference for sampling: token in, logits out, (h, c) per layer carried in a value
// type the caller can copy and restore. The weights are packed once at init for the fused
// recurrent kernel: layer 0's input projection becomes a table (V, G) looked up by token, and
// each higher layer multiplies [x | h] by [W_ih | W_hh] in one kernel call per team member,
// which also applies the cell. The head is one sgemv per member. A step allocates nothing.
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
    // Gate columns are grouped by team member (GateGrouping).
    let inputTable: FloatBuffer  // (V, G) embedding @ W_ih0^T + b_ih0 + b_hh0, grouped columns
    let recurrent0: ForwardRecurrentPack  // W_hh of layer 0, packed per member
    let fused: [ForwardRecurrentPack]  // layers 1..<L: [W_ih | W_hh] (2H inputs), packed per member
    let fusedBias: [FloatBuffer]  // layers 1..<L: (G) b_ih + b_hh, grouped
    let headWeight: FloatBuffer  // (V, H)
    let headBias: FloatBuffer  // (V)
    let z: FloatBuffer  // (G) gate pre-activations of the current layer, regrouped
    let xh: FloatBuffer  // (2H) [x | h] of the current layer
    let hNext: FloatBuffer  // (H) the new h of the current layer
    let team: ThreadTeam
    let grouping: GateGrouping

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
        team = ThreadTeam(size: GateGrouping.teamSize(hiddenSize: H, threads: threads ?? ComputeThreads.current))
        let grouping = GateGrouping(hiddenSize: H, team: team)
        self.grouping = grouping
        let source = grouping.sourceRow  // grouped row -> PyTorch row

        // inputTable[v] = embedding[v] @ W_ih0^T + b_ih0 + b_hh0                       (V, G)
        let table = FloatBuffer(count: V * G)
        for v in 0..<V {
            for j in 0..<G { table[v * G + j].pointee = p[layout.biasIH[0] + j] + p[layout.biasHH[0] + j] }
        }
        BLAS.gemm(table.pointer, ldc: G, p + layout.embedding, lda: E, transA: false,
                  p + layout.weightIH[0], ldb: E, transB: true, m: V, n: G, k: E, beta: 1)
        inputTable = FloatBuffer(count: V * G)
        for v in 0..<V { for r in 0..<G { inputTable[v * G + r].pointee = table[v * G + source[r]].pointee } }
        recurrent0 = ForwardRecurrentPack(grouping: grouping, inputs: H)
        for m in 0..<team.size { recurrent0.pack(member: m, grouping: grouping, from: p + layout.weightHH[0], ldw: H) }

        var fused: [ForwardRecurrentPack] = [], fusedBias: [FloatBuffer] = []
        let both = FloatBuffer(count: G * 2 * H)  // [W_ih | W_hh] in PyTorch row order
        for k in 1..<max(L, 1) {
            for r in 0..<G {
                both[r * 2 * H].update(from: p + layout.weightIH[k] + r * H, count: H)
                both[r * 2 * H + H].update(from: p + layout.weightHH[k] + r * H, count: H)
            }
            let pack = ForwardRecurrentPack(grouping: grouping, inputs: 2 * H)
            for m in 0..<team.size { pack.pack(member: m, grouping: grouping, from: both.pointer, ldw: 2 * H) }
            let bias = FloatBuffer(count: G)
            for r in 0..<G { bias[r].pointee = p[layout.biasIH[k] + source[r]] + p[layout.biasHH[k] + source[r]] }
            fused.append(pack)
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
                    let u = grouping.units[p], mine = grouping.firstGateRow(of: p)
                    let zp = z + mine  // (4U) this member's [i|f|g|o]
                    for k in 0..<L {
                        let h = hAll + k * H, c = cAll + k * H
                        if !u.isEmpty {
                            if k == 0 {
                                // Layer 0: z = table[token] + W_hh0 @ h, then the cell              (G)
                                zp.update(from: inputTable[token * G + mine], count: 4 * u.count)
                                recurrent0.step(member: p, units: u.count, rows: 1, x: h, ldx: H, z: zp, ldz: 4 * u.count,
                                                bias: nil, cPrev: c + u.lowerBound, c: c + u.lowerBound, tanhC: nil,
                                                h: hNext + u.lowerBound, lds: H)
                            } else {
                                // Layer k: z = [W_ih | W_hh] @ [h_{k-1} | h_k] + b, then the cell   (G)
                                zp.update(from: fusedBias[k - 1][mine], count: 4 * u.count)
                                fused[k - 1].step(member: p, units: u.count, rows: 1, x: xh, ldx: 2 * H, z: zp,
                                                  ldz: 4 * u.count, bias: nil, cPrev: c + u.lowerBound, c: c + u.lowerBound,
                                                  tanhC: nil, h: hNext + u.lowerBound, lds: H)
                            }
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
