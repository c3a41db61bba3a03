// One-token inference for sampling: token in, logits out, (h, c) per layer carried in a value
// type the caller can copy and restore. The weights are packed once at init for the fused
// recurrent kernel: layer 0's input projection becomes a table (V, G) looked up by token, and
// each higher layer multiplies [x | h] by [W_ih | W_hh] in one kernel call per team member,
// which also applies the cell. The head is the same kernel's product alone on the member's
// share of the vocabulary (HeadPack). A step allocates nothing. A model whose weights are F16
// values (saved with --dtype f16) keeps them packed in F16: a step is bound by the bytes it
// streams, and the results are the same bits.
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
    let head: HeadPack
    // Scratch for up to rowCapacity streams (one, until a batched step needs more).
    private var rowCapacity = 0
    private var z = FloatBuffer(count: 0)  // (R, G) gate pre-activations of the current layer, grouped, rows zStride apart
    /// Layer k's input for k >= 1 at slot k-1: (R, 2H) [h_{k-1} new | h_k old], rows xhStride
    /// apart; layer k writes its new h into the first half of slot k (slot L-1: the head's input).
    private var xh = FloatBuffer(count: 0)  // (L, R, xhStride)
    private var cRows = FloatBuffer(count: 0)  // (R, xhStride) the current layer's c, at the stride its h is written
    /// Row strides padded by 16 floats: rows 2H or 4H floats apart (a multiple of 4 KiB for
    /// H = 512) put the rows a batched tile reads and writes into one L1 cache set.
    private var zStride: Int { 4 * configuration.hiddenSize + 16 }
    private var xhStride: Int { 2 * configuration.hiddenSize + 16 }
    private var batchH = FloatBuffer(count: 0)  // (L, R, H) gathered states of a batched step
    private var batchC = FloatBuffer(count: 0)
    let team: ThreadTeam
    let grouping: GateGrouping

    /// Snapshots the model's weights: later changes to the model need a new LSTMInference.
    /// One step at a time per instance (the scratch buffers are shared between calls).
    /// `threads` defaults to ComputeThreads.current.
    public convenience init(model: LSTMModel, threads: Int? = nil) {
        self.init(model: model, threads: threads, halfPacks: true)
    }

    /// `halfPacks` false keeps F32 packs even for F16 weights (tests compare the two).
    init(model: LSTMModel, threads: Int?, halfPacks: Bool) {
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
        recurrent0 = ForwardRecurrentPack(grouping: grouping, inputs: H, packing: p + layout.weightHH[0], ldw: H, halfIfExact: halfPacks)

        var fused: [ForwardRecurrentPack] = [], fusedBias: [FloatBuffer] = []
        let both = FloatBuffer(count: G * 2 * H)  // [W_ih | W_hh] in PyTorch row order
        for k in 1..<max(L, 1) {
            for r in 0..<G {
                both[r * 2 * H].update(from: p + layout.weightIH[k] + r * H, count: H)
                both[r * 2 * H + H].update(from: p + layout.weightHH[k] + r * H, count: H)
            }
            let pack = ForwardRecurrentPack(grouping: grouping, inputs: 2 * H, packing: both.pointer, ldw: 2 * H, halfIfExact: halfPacks)
            let bias = FloatBuffer(count: G)
            for r in 0..<G { bias[r].pointee = p[layout.biasIH[k] + source[r]] + p[layout.biasHH[k] + source[r]] }
            fused.append(pack)
            fusedBias.append(bias)
        }
        self.fused = fused
        self.fusedBias = fusedBias
        head = HeadPack(weight: p + layout.headWeight, bias: p + layout.headBias, vocabularySize: V, hiddenSize: H,
                        team: team, halfIfExact: halfPacks)
        reserveRows(1)
    }

    /// The zero state a stream starts from.
    /// "f16" when every packed recurrent weight is an F16 value and is streamed as such, else "f32".
    public var recurrentPrecision: String {
        ([recurrent0] + fused).allSatisfy { $0.precision == .half } ? ForwardRecurrentPack.Precision.half.rawValue
            : ForwardRecurrentPack.Precision.single.rawValue
    }

    /// The same for the head's weights.
    var headPrecision: String { head.precision.rawValue }

    public func makeState() -> LSTMState { LSTMState(layers: configuration.layers, hiddenSize: configuration.hiddenSize) }

    /// Feeds one token: updates `state` and writes the next-token logits (V).
    /// Preconditions: 0 <= token < V, logits.count == V, state made for this model.
    public func step(token: Int, state: inout LSTMState, logits: UnsafeMutableBufferPointer<Float>) {
        let (V, H, L) = (configuration.vocabularySize, configuration.hiddenSize, configuration.layers)
        precondition(token >= 0 && token < V, "token \(token) outside the vocabulary 0..<\(V)")
        precondition(logits.count == V, "logits must hold \(V) values")
        precondition(state.h.count == L * H && state.c.count == L * H, "state made for another model")
        // One stream's (L, H) state is already the (L, rows, H) layout of one row.
        var token = token
        state.h.withUnsafeMutableBufferPointer { h in
            state.c.withUnsafeMutableBufferPointer { c in
                run(rows: 1, tokens: &token, h: h.baseAddress!, c: c.baseAddress!, logits: logits.baseAddress!)
            }
        }
    }

    /// Feeds one token to each of several streams in one batched step, so the weights are read
    /// once for all of them (the K candidates of a regenerated bar): tokens[r] into states[r],
    /// logits row r (V floats) at logits[r·V]. Preconditions as for one stream; logits.count
    /// == V · tokens.count.
    public func step(tokens: [Int], states: inout [LSTMState], logits: UnsafeMutableBufferPointer<Float>) {
        let (V, H, L) = (configuration.vocabularySize, configuration.hiddenSize, configuration.layers)
        let R = tokens.count
        precondition(states.count == R && logits.count == R * V, "one state and V logits per token")
        guard R > 0 else { return }
        for t in tokens { precondition(t >= 0 && t < V, "token \(t) outside the vocabulary 0..<\(V)") }
        reserveRows(R)
        // Gather the streams into (L, R, H), run, scatter back.
        let h = batchH.pointer, c = batchC.pointer
        for r in 0..<R {
            precondition(states[r].h.count == L * H && states[r].c.count == L * H, "state made for another model")
            for k in 0..<L {
                (h + (k * R + r) * H).update(from: states[r].h, count: H, offset: k * H)
                (c + (k * R + r) * H).update(from: states[r].c, count: H, offset: k * H)
            }
        }
        tokens.withUnsafeBufferPointer { run(rows: R, tokens: $0.baseAddress!, h: h, c: c, logits: logits.baseAddress!) }
        for r in 0..<R {
            for k in 0..<L {
                states[r].h.withUnsafeMutableBufferPointer { ($0.baseAddress! + k * H).update(from: h + (k * R + r) * H, count: H) }
                states[r].c.withUnsafeMutableBufferPointer { ($0.baseAddress! + k * H).update(from: c + (k * R + r) * H, count: H) }
            }
        }
    }

    /// Grows the scratch buffers to hold `rows` streams.
    private func reserveRows(_ rows: Int) {
        guard rows > rowCapacity else { return }
        let (H, L) = (configuration.hiddenSize, configuration.layers)
        rowCapacity = rows
        z = FloatBuffer(count: rows * zStride)
        xh = FloatBuffer(count: L * rows * xhStride)
        cRows = FloatBuffer(count: rows * xhStride)
        batchH = FloatBuffer(count: L * rows * H)
        batchC = FloatBuffer(count: L * rows * H)
        head.reserve(rows: rows)
    }

    /// The step for R rows: h and c are (L, R, H), tokens R, logits (R, V).
    private func run(rows R: Int, tokens: UnsafePointer<Int>, h hAll: UnsafeMutablePointer<Float>,
                     c cAll: UnsafeMutablePointer<Float>, logits out: UnsafeMutablePointer<Float>) {
        let (V, H, L) = (configuration.vocabularySize, configuration.hiddenSize, configuration.layers)
        let G = 4 * H, zStride = self.zStride, xhStride = self.xhStride
        reserveRows(R)
        let z = self.z.pointer, xh = self.xh.pointer, cRows = self.cRows.pointer
        let (grouping, inputTable, recurrent0, fused, fusedBias) = (grouping, inputTable, recurrent0, fused, fusedBias)
        let (head, team) = (head, team)
        // One barrier per layer: each layer reads its input from a buffer no member writes
        // during the layer, writes its h into the next layer's input, and the state h and c are
        // copied in and out by the member owning the units.
        @inline(__always) func layerInput(_ k: Int) -> UnsafeMutablePointer<Float> { xh + (k - 1) * R * xhStride }
        team.run { p in
            let u = grouping.units[p], mine = grouping.firstGateRow(of: p), s = u.lowerBound, n = u.count
            for k in 1..<max(L, 1) {
                for r in 0..<R { (layerInput(k) + r * xhStride + H + s).update(from: hAll + (k * R + r) * H + s, count: n) }
            }
            for k in 0..<L {
                let h = hAll + k * R * H, c = cAll + k * R * H  // (R, H) state of layer k
                for r in 0..<R { (cRows + r * xhStride + s).update(from: c + r * H + s, count: n) }
                if n == 0 {
                    // A member without units (more threads than units) still meets every barrier.
                } else if k == 0 {
                    // Layer 0: z = table[token] + h @ W_hh0^T, then the cell                   (R, G)
                    for r in 0..<R { (z + r * zStride + mine).update(from: inputTable[tokens[r] * G + mine], count: 4 * n) }
                    recurrent0.step(member: p, units: n, rows: R, x: h, ldx: H, z: z + mine, ldz: zStride, bias: nil,
                                    cPrev: cRows + s, c: cRows + s, tanhC: nil, h: layerInput(1) + s, lds: xhStride)
                } else {
                    // Layer k: z = [h_{k-1} | h_k] @ [W_ih | W_hh]^T + b, then the cell         (R, G)
                    for r in 0..<R { (z + r * zStride + mine).update(from: fusedBias[k - 1][mine], count: 4 * n) }
                    fused[k - 1].step(member: p, units: n, rows: R, x: layerInput(k), ldx: xhStride, z: z + mine,
                                      ldz: zStride, bias: nil, cPrev: cRows + s, c: cRows + s, tanhC: nil,
                                      h: layerInput(k + 1) + s, lds: xhStride)
                }
                for r in 0..<R { (c + r * H + s).update(from: cRows + r * xhStride + s, count: n) }
                team.barrier()  // h_k is whole in the next input, and nobody reads layer 0's input (the state h_0) any more
                for r in 0..<R { (h + r * H + s).update(from: layerInput(k + 1) + r * xhStride + s, count: n) }
            }
            // Head: logits = h_{L-1} @ head.weight^T + head.bias, member p on its vocabulary rows  (R, V)
            head.step(member: p, rows: R, x: layerInput(L), ldx: xhStride, out: out, ldo: V)
        }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// Copies `count` floats of `array` from `offset`.
    fileprivate func update(from array: [Float], count: Int, offset: Int) {
        array.withUnsafeBufferPointer { self.update(from: $0.baseAddress! + offset, count: count) }
    }
}
