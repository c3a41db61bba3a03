// Training the LSTM language model: the whole forward pass and back-propagation through time
// for a (B, T) batch, top to bottom in one file, then gradient clipping and Adam. Buffers are
// allocated once for (B, T); a step allocates nothing. Evaluation reuses the forward pass.
//
// Legend: B batch, T time steps, N = T·B rows, V vocabulary, E embedding, H hidden,
// G = 4H gate pre-activations [i | f | g | o], L layers, in = E (layer 0) or H.
// Activations are time-major, (T, B, ·), so the B rows of one step are contiguous for the
// recurrent kernel. Inputs, targets and per-position losses at the API are (B, T), row-major.
// Threads: a ThreadTeam of `threads` members splits every product by output rows (a
// single-threaded sgemm each) and each time step by hidden units, with a barrier per step.
// Gate order inside the engine is "grouped" (GateGrouping): member p owns hidden units U_p,
// and its gate columns are [i | f | g | o] of U_p, contiguous from 4·U_p.start, so its share
// of a time step is one call of the fused recurrent kernel (RecurrentWeights.swift), on W_hh
// packed once per training step. Grouped copies of W_ih and the biases are refreshed each
// forward; weight gradients are computed in grouped order and scattered to their PyTorch rows.
// Layer 0 by token: when the vocabulary has at most half as many entries as the batch has
// positions (V <= N/2, the usual case: a few hundred tokens against B·T in the thousands), its
// input projection embedding[token] @ W_ih0^T is computed once per vocabulary entry and looked
// up, and its backward sums dz per token first: layer 0's three input products then have V
// rows instead of N (a seventh to a fifth of a training step's products on the bench shapes).

/// The (h, c) of every layer for every row of a batch: the state truncated BPTT carries from
/// one batch to the next. h and c are (L, B, H).
public struct LSTMBatchState: Equatable, Sendable {
    public let layers: Int, batchSize: Int, hiddenSize: Int
    public var h: [Float]
    public var c: [Float]

    public init(layers: Int, batchSize: Int, hiddenSize: Int) {
        self.layers = layers
        self.batchSize = batchSize
        self.hiddenSize = hiddenSize
        h = Array(repeating: 0, count: layers * batchSize * hiddenSize)
        c = h
    }
}

public final class LSTMTrainer {
    public let model: LSTMModel
    public let batchSize: Int
    public let sequenceLength: Int
    public var settings: AdamSettings
    /// Adam steps taken (the t of the bias correction); saved with the optimizer state.
    public var step: Int = 0
    /// The dropout generator; its state is saved with the optimizer state for an exact resume.
    public var rng: SplitMix64
    /// Truncated BPTT: when true, the final (h, c) of a training step is the next step's
    /// initial state (row b continues row b); when false every step starts from zeros.
    public var carriesState = false
    /// The state the next training step starts from (kept zero unless carriesState).
    public var trainingState: LSTMBatchState
    /// ‖g‖ before clipping, of the last training step.
    public private(set) var lastGradientNorm: Float = 0

    // Dimensions.
    let B: Int, T: Int, N: Int, V: Int, E: Int, H: Int, L: Int
    /// The threads that share each step (member 0 is the caller's thread).
    let team: ThreadTeam
    /// Per member: partial sums (loss, squared gradient norm), combined in member order.
    let partials: FloatBuffer

    // Gradients and Adam moments: (P), the parameters' layout.
    let gradients: FloatBuffer
    let adamM: FloatBuffer
    let adamV: FloatBuffer

    // Activations.
    /// Layer 0's input projection per vocabulary entry (see the header); else per position.
    let projectsByToken: Bool
    let x0: FloatBuffer  // (T, B, E) embedded inputs (empty when projectsByToken)
    let tokenGates: FloatBuffer  // (V, G) embedding @ W_ih0^T, grouped columns (empty unless projectsByToken)
    let dTokenGates: FloatBuffer  // (V, G) dL/d tokenGates: dz summed per token (empty unless projectsByToken)
    let hs: [FloatBuffer]  // per layer (T+1, B, H); slot 0 is the initial h
    let cs: [FloatBuffer]  // per layer (T+1, B, H); slot 0 is the initial c
    let tanhCs: [FloatBuffer]  // per layer (T, B, H) tanh(c_t)
    let gates: [FloatBuffer]  // per layer (T, B, gateStride) activations, then dL/dpre-activations
    /// Floats from one gate row to the next: G plus 16, so the rows a kernel tile reads at once
    /// do not fall into one L1 cache set (G·4 bytes is a multiple of 4 KiB for H = 256, 512, ...).
    let gateStride: Int
    let masks: [FloatBuffer]  // per layer (T, B, H) 0 or 1/(1-p) (empty when dropout = 0)
    let dropped: [FloatBuffer]  // per layer (T, B, H) h · mask (empty when dropout = 0)
    let logits: FloatBuffer  // (N, V) logits, then dL/dlogits
    let losses: FloatBuffer  // (N) per-position loss, 0 where the target is ignored
    let groupedIH: [FloatBuffer]  // per layer (G, in) W_ih rows in grouped order
    let forwardPacks: [ForwardRecurrentPack]  // per layer: W_hh packed for the forward kernel
    let backwardPack: BackwardRecurrentPack  // the layer being back-propagated: W_hh packed for the backward kernel
    let groupedBias: [FloatBuffer]  // per layer (G) b_ih + b_hh in grouped order
    let grouping: GateGrouping  // hidden units and grouped gate rows of each team member
    let dWhhGrouped: FloatBuffer  // (G, H) d W_hh rows in grouped order, before scattering
    let dWihGrouped: FloatBuffer  // (G, max(E, H)) d W_ih rows in grouped order
    let dBiasGrouped: FloatBuffer  // (G) d b rows in grouped order
    let dOutA: FloatBuffer  // (N, H) dL/d(layer output), ping
    let dOutB: FloatBuffer  // (N, H) dL/d(layer output), pong
    let dX0: FloatBuffer  // (N, E) dL/d(embedded input) (empty when projectsByToken)
    let dc: FloatBuffer  // (B, H) dL/dc flowing back through time
    var dropoutSeed: UInt64 = 0  // drawn from rng once per training forward
    let ones: FloatBuffer  // (max(N, V)) all ones, for column sums as sgemv

    /// Buffers for batches of `batchSize` rows of `sequenceLength` tokens, work split over
    /// `threads` threads (default ComputeThreads.current). Results are deterministic for a seed.
    /// `projectsByToken` overrides the rule V <= N/2 (for tests of both ways).
    public convenience init(model: LSTMModel, batchSize: Int, sequenceLength: Int, settings: AdamSettings = AdamSettings(), seed: UInt64,
                threads: Int? = nil) {
        self.init(model: model, batchSize: batchSize, sequenceLength: sequenceLength, settings: settings, seed: seed,
                  threads: threads, projectsByToken: nil)
    }

    init(model: LSTMModel, batchSize: Int, sequenceLength: Int, settings: AdamSettings = AdamSettings(), seed: UInt64,
         threads: Int? = nil, projectsByToken: Bool?) {
        precondition(batchSize > 0 && sequenceLength > 0, "batch size and sequence length must be positive")
        let cfg = model.configuration
        self.model = model
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.settings = settings
        rng = SplitMix64(seed: seed)
        (B, T, N) = (batchSize, sequenceLength, batchSize * sequenceLength)
        (V, E, H, L) = (cfg.vocabularySize, cfg.embeddingSize, cfg.hiddenSize, cfg.layers)
        trainingState = LSTMBatchState(layers: L, batchSize: B, hiddenSize: H)
        let P = model.layout.count
        gradients = FloatBuffer(count: P)
        adamM = FloatBuffer(count: P)
        adamV = FloatBuffer(count: P)
        let (N, B, H, T, L, V, E) = (self.N, self.B, self.H, self.T, self.L, self.V, self.E)
        let byToken = projectsByToken ?? (2 * V <= N)
        self.projectsByToken = byToken
        x0 = FloatBuffer(count: byToken ? 0 : N * E)
        dX0 = FloatBuffer(count: byToken ? 0 : N * E)
        tokenGates = FloatBuffer(count: byToken ? V * 4 * H : 0)
        dTokenGates = FloatBuffer(count: byToken ? V * 4 * H : 0)
        hs = (0..<L).map { _ in FloatBuffer(count: (T + 1) * B * H) }
        cs = (0..<L).map { _ in FloatBuffer(count: (T + 1) * B * H) }
        tanhCs = (0..<L).map { _ in FloatBuffer(count: N * H) }
        gateStride = 4 * H + 16
        let gateStride = self.gateStride
        gates = (0..<L).map { _ in FloatBuffer(count: N * gateStride) }
        let withDropout = cfg.dropout > 0
        masks = withDropout ? (0..<L).map { _ in FloatBuffer(count: N * H) } : []
        dropped = withDropout ? (0..<L).map { _ in FloatBuffer(count: N * H) } : []
        logits = FloatBuffer(count: N * V)
        losses = FloatBuffer(count: N)
        groupedIH = (0..<L).map { FloatBuffer(count: 4 * H * cfg.inputSize(ofLayer: $0)) }
        groupedBias = (0..<L).map { _ in FloatBuffer(count: 4 * H) }
        dWhhGrouped = FloatBuffer(count: 4 * H * H)
        dWihGrouped = FloatBuffer(count: 4 * H * max(E, H))
        dBiasGrouped = FloatBuffer(count: 4 * H)
        dOutA = FloatBuffer(count: N * H)
        dOutB = FloatBuffer(count: N * H)
        dc = FloatBuffer(count: B * H)
        ones = FloatBuffer(count: max(N, V))
        ones.pointer.update(repeating: 1, count: ones.count)
        ComputeThreads.blasSingleThreaded
        let team = ThreadTeam(size: GateGrouping.teamSize(hiddenSize: H, threads: threads ?? ComputeThreads.current))
        self.team = team
        partials = FloatBuffer(count: 2 * team.size)
        let grouping = GateGrouping(hiddenSize: H, team: team)
        self.grouping = grouping
        forwardPacks = (0..<L).map { _ in ForwardRecurrentPack(grouping: grouping, inputs: H) }
        backwardPack = BackwardRecurrentPack(grouping: grouping)
    }

    /// Bytes of every buffer the trainer holds (gradients, Adam moments, activations, scratch):
    /// fixed by the model and (B, T), whatever the corpus size.
    public var bufferBytes: Int {
        var floats = gradients.count + adamM.count + adamV.count + x0.count + logits.count + losses.count
        for list in [hs, cs, tanhCs, gates, masks, dropped, groupedIH, groupedBias] + forwardPacks.map(\.buffers)
            + [backwardPack.buffers] {
            floats += list.reduce(0) { $0 + $1.count }
        }
        for b in [dWhhGrouped, dWihGrouped, dBiasGrouped, dOutA, dOutB, dX0, tokenGates, dTokenGates, dc, ones, partials] {
            floats += b.count
        }
        return floats * MemoryLayout<Float>.size
    }

    /// A zero state shaped for this trainer's batch.
    public func makeBatchState() -> LSTMBatchState { LSTMBatchState(layers: L, batchSize: B, hiddenSize: H) }

    /// Zeroes the carried training state (start of an epoch, or a new set of streams).
    public func resetState() { trainingState = makeBatchState() }

    // MARK: - training step

    /// Forward, backward, clipping and one Adam update on a batch. inputs and targets are (B, T)
    /// row-major token ids; a negative target is ignored (padding). Returns the mean loss over
    /// the counted targets (nats), or 0 when none counts.
    @discardableResult
    public func trainStep(inputs: [Int32], targets: [Int32], learningRate: Float) -> Float {
        precondition(inputs.count == N && targets.count == N, "trainStep expects \(B)×\(T) inputs and targets")
        loadState(trainingState)
        let loss = inputs.withUnsafeBufferPointer { tokens in
            targets.withUnsafeBufferPointer { targets in
                forward(tokens: tokens, targets: targets, training: true)
            }
        }
        inputs.withUnsafeBufferPointer { tokens in backward(tokens: tokens) }
        optimize(learningRate: learningRate)
        if carriesState { storeState(into: &trainingState) }
        return loss.mean
    }

    /// Forward and backward only (no update): fills the gradients and returns the mean loss.
    /// For tests and gradient checks; uses and keeps trainingState like trainStep.
    func computeGradients(inputs: [Int32], targets: [Int32], training: Bool) -> Float {
        loadState(trainingState)
        let loss = inputs.withUnsafeBufferPointer { tokens in
            targets.withUnsafeBufferPointer { targets in forward(tokens: tokens, targets: targets, training: training) }
        }
        inputs.withUnsafeBufferPointer { tokens in backward(tokens: tokens, training: training) }
        return loss.mean
    }

    // MARK: - evaluation

    /// Mean loss of a (B, T) batch without dropout and without touching gradients, starting
    /// from `state` and leaving the final state in it (to evaluate a long stream in chunks).
    /// Negative targets are ignored. If `positionLosses` is given (B·T), it receives each
    /// position's loss in (B, T) order (0 where ignored).
    public func evaluate(
        inputs: [Int32], targets: [Int32], state: inout LSTMBatchState,
        positionLosses: UnsafeMutableBufferPointer<Float>? = nil
    ) -> (meanLoss: Float, count: Int) {
        precondition(inputs.count == N && targets.count == N, "evaluate expects \(B)×\(T) inputs and targets")
        loadState(state)
        let loss = inputs.withUnsafeBufferPointer { tokens in
            targets.withUnsafeBufferPointer { targets in forward(tokens: tokens, targets: targets, training: false) }
        }
        storeState(into: &state)
        if let out = positionLosses {
            precondition(out.count == N, "positionLosses must hold B·T values")
            for b in 0..<B { for t in 0..<T { out[b * T + t] = losses[t * B + b].pointee } }
        }
        return (loss.mean, loss.count)
    }

    /// Mean loss of a (B, T) batch from a zero state, without dropout.
    public func evaluate(inputs: [Int32], targets: [Int32]) -> Float {
        var state = makeBatchState()
        return evaluate(inputs: inputs, targets: targets, state: &state).meanLoss
    }

    // MARK: - state in and out

    private func loadState(_ s: LSTMBatchState) {
        precondition(s.layers == L && s.batchSize == B && s.hiddenSize == H, "state shaped for another batch")
        let BH = B * H
        s.h.withUnsafeBufferPointer { h in s.c.withUnsafeBufferPointer { c in
            for k in 0..<L {
                hs[k].pointer.update(from: h.baseAddress! + k * BH, count: BH)
                cs[k].pointer.update(from: c.baseAddress! + k * BH, count: BH)
            }
        } }
    }

    private func storeState(into s: inout LSTMBatchState) {
        let BH = B * H
        let (hs, cs, T, L) = (self.hs, self.cs, self.T, self.L)
        s.h.withUnsafeMutableBufferPointer { h in
            for k in 0..<L { (h.baseAddress! + k * BH).update(from: hs[k][T * BH], count: BH) }
        }
        s.c.withUnsafeMutableBufferPointer { c in
            for k in 0..<L { (c.baseAddress! + k * BH).update(from: cs[k][T * BH], count: BH) }
        }
    }

    /// Layer k's output as the next layer (or the head) sees it: (T, B, H).
    @inline(__always)
    private func output(ofLayer k: Int, training: Bool) -> UnsafeMutablePointer<Float> {
        training && !dropped.isEmpty ? dropped[k].pointer : hs[k][B * H]
    }

    // MARK: - products split over the team

    /// C = op(A) @ op(B) (+ beta·C), member p computing rows `share(m)` of C with one
    /// single-threaded sgemm (call from inside team.run).
    @inline(__always)
    private func gemmShare(
        _ p: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, _ a: UnsafePointer<Float>, lda: Int, transA: Bool,
        _ b: UnsafePointer<Float>, ldb: Int, transB: Bool, m: Int, n: Int, k: Int, beta: Float
    ) {
        let rows = team.share(m, p)
        guard !rows.isEmpty else { return }
        let aStart = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
        BLAS.gemm(c + rows.lowerBound * ldc, ldc: ldc, aStart, lda: lda, transA: transA, b, ldb: ldb, transB: transB,
                  m: rows.count, n: n, k: k, beta: beta)
    }

    // MARK: - forward and backward, op by op
    //
    // forward: embedding → L LSTM layers (dropout after each when training) → head → loss;
    // backward: the same ops in reverse. Each op's backward sits next to its forward.

    /// The whole forward pass; returns the mean loss and the number of counted targets.
    private func forward(
        tokens: UnsafeBufferPointer<Int32>, targets: UnsafeBufferPointer<Int32>, training: Bool
    ) -> (mean: Float, count: Int) {
        for i in 0..<N {
            precondition(tokens[i] >= 0 && Int(tokens[i]) < V, "token \(tokens[i]) outside the vocabulary 0..<\(V)")
            precondition(Int(targets[i]) < V, "target \(targets[i]) outside the vocabulary 0..<\(V)")
        }
        if training && !dropped.isEmpty { dropoutSeed = rng.next() }
        if !projectsByToken { embeddingForward(tokens: tokens) }
        for k in 0..<L { layerForward(k, training: training, tokens: tokens) }
        return headForward(targets: targets, training: training)
    }

    /// Back-propagation through the head, then through time, layer by layer from the top.
    /// Needs the activations of the forward pass just run; fills `gradients`.
    private func backward(tokens: UnsafeBufferPointer<Int32>, training: Bool = true) {
        headBackward(training: training)
        var dOut = dOutA.pointer, dOther = dOutB.pointer  // dL/d(layer output), ping-pong
        for k in stride(from: L - 1, through: 0, by: -1) {
            layerBackward(k, training: training, tokens: tokens, dOutput: dOut, dInput: k == 0 ? dX0.pointer : dOther)
            swap(&dOut, &dOther)
        }
        if !projectsByToken { embeddingBackward(tokens: tokens) }
    }

    // MARK: embedding

    private func embeddingForward(tokens: UnsafeBufferPointer<Int32>) {
        let (B, T, N, E) = (self.B, self.T, self.N, self.E)
        let params = model.parameters.pointer, layout = model.layout
        // Embedding: x0[t, b, :] = embedding.weight[tokens[b, t], :]               x0 (T, B, E)
        let embedding = params + layout.embedding  // (V, E)
        team.run { p in
            for r in team.share(N, p) {
                let (t, b) = r.quotientAndRemainder(dividingBy: B)
                x0[r * E].update(from: embedding + Int(tokens[b * T + t]) * E, count: E)
            }
        }
    }

    private func embeddingBackward(tokens: UnsafeBufferPointer<Int32>) {
        let (B, T, V, E) = (self.B, self.T, self.V, self.E)
        let grads = gradients.pointer, layout = model.layout
        // Embedding: x0[t, b] = embedding.weight[token]  =>  d embedding.weight[token] += dx0[t, b]
        // (member p owns embedding columns `columns`, so no two members add to one value)
        let dEmbedding = grads + layout.embedding  // (V, E)
        let dx0 = dX0.pointer
        team.run { p in
            let columns = team.share(E, p)
            guard !columns.isEmpty else { return }
            for v in 0..<V { (dEmbedding + v * E + columns.lowerBound).update(repeating: 0, count: columns.count) }
            for t in 0..<T {
                for b in 0..<B {
                    let row = dEmbedding + Int(tokens[b * T + t]) * E
                    let src = dx0 + (t * B + b) * E
                    for e in columns { row[e] += src[e] }
                }
            }
        }
    }

    // MARK: LSTM layer

    /// Layer k over all T steps: the input projection of all rows at once, then the recurrence
    /// step by step (the fused kernel), then dropout when training.
    private func layerForward(_ k: Int, training: Bool, tokens: UnsafeBufferPointer<Int32>) {
        let (B, T, N, E, H, V) = (self.B, self.T, self.N, self.E, self.H, self.V)
        let byToken = k == 0 && projectsByToken
        let G = 4 * H, GS = gateStride
        let layout = model.layout
        let params = model.parameters.pointer
        let input = k == 0 ? x0.pointer : output(ofLayer: k - 1, training: training)  // (T, B, in)
        let inSize = k == 0 ? E : H
        let bih = params + layout.biasIH[k], bhh = params + layout.biasHH[k]  // (G)
        let wih = groupedIH[k].pointer  // (G, in) grouped rows
        let recurrent = forwardPacks[k]  // W_hh, packed per member
        let bias = groupedBias[k].pointer  // (G) grouped
        let z = gates[k].pointer  // (T, B, G) grouped columns, rows gateStride apart
        let h = hs[k].pointer, c = cs[k].pointer, tc = tanhCs[k].pointer  // (T+1, B, H), (T, B, H)
        let grouping = self.grouping

        team.run { p in
            // The grouped copies of this layer's weights (each member copies its rows) and
            // the member's own W_hh rows packed for the recurrent kernel.
            for r in team.share(G, p) {
                let source = grouping.sourceRow[r]
                (wih + r * inSize).update(from: params + layout.weightIH[k] + source * inSize, count: inSize)
                bias[r] = bih[source] + bhh[source]
            }
            recurrent.pack(member: p, grouping: grouping, from: params + layout.weightHH[k], ldw: H)
            team.barrier()

            if byToken {
                // Layer 0 by token: tokenGates = embedding @ W_ih0^T                          (V, G)
                // then each position looks up its token's row: z[t, b] = tokenGates[token]     (N, G)
                let gatesByToken = tokenGates.pointer
                gemmShare(p, gatesByToken, ldc: G, params + layout.embedding, lda: E, transA: false, wih, ldb: E,
                          transB: true, m: V, n: G, k: E, beta: 0)
                team.barrier()
                for r in team.share(N, p) {
                    let (t, b) = r.quotientAndRemainder(dividingBy: B)
                    (z + r * GS).update(from: gatesByToken + Int(tokens[b * T + t]) * G, count: G)
                }
            } else {
                // Input projection of all N rows at once: z = x @ W_ih^T (bias added in the cell)  (N, G)
                gemmShare(p, z, ldc: GS, input, lda: inSize, transA: false, wih, ldb: inSize, transB: true,
                          m: N, n: G, k: inSize, beta: 0)
            }
            team.barrier()

            // Recurrence, member p owning hidden units U and gate columns 4·U.start ..< 4·U.end:
            //   z_t[:, mine] += h_{t-1} @ W_hh[mine, :]^T, then the cell, in one kernel call.  (B, 4U)
            let u = grouping.units[p], mine = grouping.firstGateRow(of: p), s = u.lowerBound
            for t in 0..<T {
                if !u.isEmpty {
                    recurrent.step(member: p, units: u.count, rows: B, x: h + t * B * H, ldx: H, z: z + t * B * GS + mine,
                                   ldz: GS, bias: bias + mine, cPrev: c + t * B * H + s, c: c + (t + 1) * B * H + s,
                                   tanhC: tc + t * B * H + s, h: h + (t + 1) * B * H + s, lds: H)
                }
                team.barrier()
            }

            // Inverted dropout: dropped = h · mask, mask = 0 (prob p) or 1/(1-p).        (T, B, H)
            if training && !dropped.isEmpty {
                for t in team.share(T, p) {
                    let at = t * B * H
                    applyDropout(mask: masks[k][at], output: dropped[k][at], input: h + B * H + at, count: B * H,
                                 stream: UInt64(k * T + t))
                }
            }
        }
    }

    /// Layer k backward: dOutput = dL/d(layer output) in (overwritten), dInput = dL/d(layer
    /// input) out; the layer's weight gradients land in `gradients`. Layer 0 by token writes
    /// the embedding's gradient instead of dInput.
    private func layerBackward(_ k: Int, training: Bool, tokens: UnsafeBufferPointer<Int32>,
                               dOutput: UnsafeMutablePointer<Float>, dInput: UnsafeMutablePointer<Float>) {
        let (B, T, N, E, H, V) = (self.B, self.T, self.N, self.E, self.H, self.V)
        let byToken = k == 0 && projectsByToken
        let G = 4 * H, GS = gateStride
        let layout = model.layout
        let params = model.parameters.pointer
        let grads = gradients.pointer
        let useDropout = training && !dropped.isEmpty
        let input = k == 0 ? x0.pointer : output(ofLayer: k - 1, training: training)  // (T, B, in)
        let inSize = k == 0 ? E : H
        let wih = groupedIH[k].pointer  // (G, in) grouped rows
        let recurrent = backwardPack, grouping = self.grouping
        let z = gates[k].pointer  // (T, B, G) grouped, rows gateStride apart: activations, then dz step by step
        let h = hs[k].pointer, c = cs[k].pointer, tc = tanhCs[k].pointer
        let dh = dOutput, dx = dInput
        let mask = useDropout ? masks[k].pointer : nil
        dc.zero()

        team.run { p in
            // W_hh's columns of member p's units, packed for the backward kernel.
            recurrent.pack(member: p, grouping: grouping, weightHH: params + layout.weightHH[k])
            // dropped = h · mask  =>  dh = dy · mask                                   (T, B, H)
            if let mask {
                let rows = team.share(N, p)
                for i in (rows.lowerBound * H)..<(rows.upperBound * H) { dh[i] *= mask[i] }
                team.barrier()
            }
            // Through time, t = T-1 ... 0, member p owning hidden units U. dh[t] is dL/dh_t
            // from above; the recurrence z_{t+1} += h_t @ W_hh^T adds
            //   dh_t[:, U] += dz_{t+1} @ W_hh[:, U]                                       (B, U)
            // and the cell's backward turns the activations of step t into dz_t, in one call.
            let u = grouping.units[p], mine = grouping.firstGateRow(of: p), s = u.lowerBound
            for t in stride(from: T - 1, through: 0, by: -1) {
                if !u.isEmpty {
                    recurrent.step(member: p, units: u.count, rows: B, withProduct: t < T - 1,
                                   dzNext: z + min(t + 1, T - 1) * B * GS, lddz: GS, dh: dh + t * B * H + s,
                                   gates: z + t * B * GS + mine, ldg: GS, dc: dc.pointer + s, tanhC: tc + t * B * H + s,
                                   cPrev: c + t * B * H + s, lds: H)
                }
                team.barrier()
            }

            // Weight gradients over all steps at once, from dz (T, B, G), for member p's grouped
            // rows R = 4·U.start ..< 4·U.end (one sgemm each), then scattered: grouped rows
            // 4·U.start + g·|U| ..< +|U| are PyTorch rows g·H + U.
            if !u.isEmpty {
                let n4 = 4 * u.count
                let dWhh = dWhhGrouped.pointer, dWih = dWihGrouped.pointer, dBias = dBiasGrouped.pointer
                // d W_hh = Σ_t dz_t^T @ h_{t-1} = dz^T @ h[0..<T]                         (G, H)
                BLAS.gemm(dWhh + mine * H, ldc: H, z + mine, lda: GS, transA: true, h, ldb: H, transB: false,
                          m: n4, n: H, k: N, beta: 0)
                if byToken {
                    // z[t, b] = tokenGates[token]  =>  dTokenGates[v] = Σ over v's positions of dz  (V, G)
                    let dByToken = dTokenGates.pointer + mine
                    for v in 0..<V { (dByToken + v * G).update(repeating: 0, count: n4) }
                    for r in 0..<N {
                        let (t, b) = r.quotientAndRemainder(dividingBy: B)
                        let row = dByToken + Int(tokens[b * T + t]) * G, source = z + r * GS + mine
                        for i in 0..<n4 { row[i] += source[i] }
                    }
                    // d W_ih0 = dTokenGates^T @ embedding                                    (G, E)
                    BLAS.gemm(dWih + mine * E, ldc: E, dByToken, lda: G, transA: true, params + layout.embedding, ldb: E,
                              transB: false, m: n4, n: E, k: V, beta: 0)
                    // d b_ih = d b_hh = Σ_rows dz = Σ_v dTokenGates                          (G)
                    BLAS.gemv(dBias + mine, dByToken, lda: G, transA: true, m: V, n: n4, ones.pointer, beta: 0)
                } else {
                    // d W_ih = dz^T @ x                                                      (G, in)
                    BLAS.gemm(dWih + mine * inSize, ldc: inSize, z + mine, lda: GS, transA: true, input, ldb: inSize,
                              transB: false, m: n4, n: inSize, k: N, beta: 0)
                    // d b_ih = d b_hh = Σ_rows dz                                            (G)
                    BLAS.gemv(dBias + mine, z + mine, lda: GS, transA: true, m: N, n: n4, ones.pointer, beta: 0)
                }
                for g in 0..<4 {
                    let from = mine + g * u.count, row = g * H + s
                    (grads + layout.weightHH[k] + row * H).update(from: dWhh + from * H, count: u.count * H)
                    (grads + layout.weightIH[k] + row * inSize).update(from: dWih + from * inSize, count: u.count * inSize)
                    (grads + layout.biasIH[k] + row).update(from: dBias + from, count: u.count)
                    (grads + layout.biasHH[k] + row).update(from: dBias + from, count: u.count)
                }
            }
            if byToken {
                // d embedding = dTokenGates @ W_ih0, once every member's columns are summed   (V, E)
                team.barrier()
                gemmShare(p, grads + layout.embedding, ldc: E, dTokenGates.pointer, lda: G, transA: false, wih, ldb: E,
                          transB: false, m: V, n: E, k: G, beta: 0)
            } else {
                // dx = dz @ W_ih                                                            (N, in)
                gemmShare(p, dx, ldc: inSize, z, lda: GS, transA: false, wih, ldb: inSize, transB: false,
                          m: N, n: inSize, k: G, beta: 0)
            }
        }
    }

    // MARK: head and loss

    /// Member p's rows of logits = y @ head.weight^T + head.bias, y the last layer's output  (N, V)
    @inline(__always)
    private func headLogits(member p: Int, training: Bool) {
        let y = output(ofLayer: L - 1, training: training)  // (N, H)
        let params = model.parameters.pointer, layout = model.layout
        let hw = params + layout.headWeight, hb = params + layout.headBias
        let lg = logits.pointer
        gemmShare(p, lg, ldc: V, y, lda: H, transA: false, hw, ldb: H, transB: true, m: N, n: V, k: H, beta: 0)
        for r in team.share(N, p) {
            let row = lg + r * V
            for v in 0..<V { row[v] += hb[v] }
        }
    }

    /// Logits, then in place the cross-entropy's gradient; returns the mean loss and count.
    private func headForward(targets: UnsafeBufferPointer<Int32>, training: Bool) -> (mean: Float, count: Int) {
        let (B, T, N, V) = (self.B, self.T, self.N, self.V)
        // Head: logits = y @ head.weight^T + head.bias                                     (N, V)
        let lg = logits.pointer
        var count = 0
        for i in 0..<N where targets[i] >= 0 { count += 1 }
        let scale = 1 / Float(max(count, 1))
        team.run { p in
            let rows = team.share(N, p)
            headLogits(member: p, training: training)
            var total = 0.0
            for r in rows {
                let row = lg + r * V
                // Cross-entropy: loss = logsumexp(logits) - logits[target], and in place
                // dL/dlogits = (softmax - onehot) / count for the mean loss.                  (N, V)
                let (t, b) = r.quotientAndRemainder(dividingBy: B)
                let target = Int(targets[b * T + t])
                guard target >= 0 else {
                    losses[r].pointee = 0
                    row.update(repeating: 0, count: V)
                    continue
                }
                let loss = Self.softmaxCrossEntropy(row: row, count: V, target: target, scale: scale)
                losses[r].pointee = loss
                total += Double(loss)
            }
            partials[p].pointee = Float(total)
        }
        guard count > 0 else { return (0, 0) }
        var total = 0.0
        for p in 0..<team.size { total += Double(partials[p].pointee) }
        return (Float(total / Double(count)), count)
    }

    private func headBackward(training: Bool) {
        let (N, V, H, L) = (self.N, self.V, self.H, self.L)
        let params = model.parameters.pointer, layout = model.layout
        let grads = gradients.pointer
        let dlogits = logits.pointer  // (N, V), already dL/dlogits
        // Head: logits = y @ head.weight^T + head.bias
        let y = output(ofLayer: L - 1, training: training)  // (N, H)
        let hw = params + layout.headWeight  // (V, H)
        let dy = dOutA.pointer
        team.run { p in
            // d head.weight = dlogits^T @ y                                                (V, H)
            gemmShare(p, grads + layout.headWeight, ldc: H, dlogits, lda: V, transA: true, y, ldb: H, transB: false,
                      m: V, n: H, k: N, beta: 0)
            // d head.bias = Σ_rows dlogits                                                  (V)
            let vs = team.share(V, p)
            if !vs.isEmpty {
                BLAS.gemv(grads + layout.headBias + vs.lowerBound, dlogits + vs.lowerBound, lda: V, transA: true,
                          m: N, n: vs.count, ones.pointer, beta: 0)
            }
            // dy = dlogits @ head.weight                                                    (N, H)
            gemmShare(p, dy, ldc: H, dlogits, lda: V, transA: false, hw, ldb: H, transB: false, m: N, n: H, k: V, beta: 0)
        }
    }

    /// For tests: the logits (N, V), time-major, of a (B, T) batch from the carried state; with
    /// `training`, through the dropout masks of the last training forward pass (same seed).
    /// The loss and gradients are left alone.
    func logits(inputs: [Int32], training: Bool = false) -> [Float] {
        precondition(inputs.count == N, "logits expects \(B)×\(T) inputs")
        loadState(trainingState)
        inputs.withUnsafeBufferPointer { tokens in
            if !projectsByToken { embeddingForward(tokens: tokens) }
            for k in 0..<L { layerForward(k, training: training, tokens: tokens) }
        }
        team.run { p in headLogits(member: p, training: training) }
        return Array(UnsafeBufferPointer(start: logits.pointer, count: N * V))
    }

    /// One row: returns -log softmax(row)[target] and leaves (softmax - onehot) · scale in row.
    @inline(__always)
    static func softmaxCrossEntropy(row: UnsafeMutablePointer<Float>, count V: Int, target: Int, scale: Float) -> Float {
        let vectorEnd = V & ~7
        var maxLogit = row[0]
        var v = 0
        if vectorEnd > 0 {
            var m = VectorMath.load(row)
            v = 8
            while v < vectorEnd {
                let x = VectorMath.load(row + v)
                m.replace(with: x, where: x .> m)
                v += 8
            }
            maxLogit = m.max()
        }
        while v < V { maxLogit = Swift.max(maxLogit, row[v]); v += 1 }
        let targetLogit = row[target] - maxLogit
        var sums = Float8(repeating: 0)
        v = 0
        while v < vectorEnd {
            let e = VectorMath.exp8(VectorMath.load(row + v) - maxLogit)
            VectorMath.store(e, row + v)
            sums += e
            v += 8
        }
        var sum = sums.sum()
        while v < V { row[v] = expf(row[v] - maxLogit); sum += row[v]; v += 1 }
        let factor = scale / sum
        v = 0
        while v < vectorEnd { VectorMath.store(VectorMath.load(row + v) * factor, row + v); v += 8 }
        while v < V { row[v] *= factor; v += 1 }
        row[target] -= scale
        return logf(sum) - targetLogit
    }

    // MARK: - optimizer

    /// Global gradient norm (for clipping), then one Adam step, each member on its share of P.
    private func optimize(learningRate: Float) {
        let P = model.layout.count
        let g = gradients.pointer
        team.run { p in
            let range = team.share(P, p, multiple: 16)
            partials[team.size + p].pointee = Adam.squaredNorm(g + range.lowerBound, count: range.count)
        }
        var sum = 0.0
        for p in 0..<team.size { sum += Double(partials[team.size + p].pointee) }
        lastGradientNorm = Float(sum.squareRoot())
        let scale = Adam.clipScale(norm: lastGradientNorm, maxNorm: settings.clipNorm)
        step += 1
        let (t, settings) = (step, self.settings)
        let (params, m, v) = (model.parameters.pointer, adamM.pointer, adamV.pointer)
        team.run { p in
            let range = team.share(P, p, multiple: 16)
            let o = range.lowerBound
            Adam.update(parameters: params + o, m: m + o, v: v + o, gradients: g + o, count: range.count, step: t,
                        learningRate: learningRate, gradScale: scale, settings: settings)
        }
    }

    // MARK: - dropout

    /// mask[i] = 0 with probability p, else 1/(1-p); output = input · mask. The generator of
    /// each (layer, step) is seeded from the step's dropout seed, so masks do not depend on how
    /// the team splits the work. Two 32-bit draws per generator step.
    private func applyDropout(mask: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                              input: UnsafePointer<Float>, count: Int, stream: UInt64) {
        var rng = SplitMix64(seed: dropoutSeed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        let p = model.configuration.dropout
        let keepScale = 1 / (1 - p)
        let threshold = UInt32(min(Double(p) * 4_294_967_296.0, 4_294_967_295.0))
        var i = 0
        while i < count {
            let r = rng.next()
            let m0: Float = UInt32(truncatingIfNeeded: r) < threshold ? 0 : keepScale
            mask[i] = m0
            output[i] = input[i] * m0
            if i + 1 < count {
                let m1: Float = UInt32(truncatingIfNeeded: r >> 32) < threshold ? 0 : keepScale
                mask[i + 1] = m1
                output[i + 1] = input[i + 1] * m1
            }
            i += 2
        }
    }

    // MARK: - optimizer state by name

    /// Names of the optimizer's buffers for a checkpoint: "exp_avg.<tensor>" and
    /// "exp_avg_sq.<tensor>" for every parameter tensor (PyTorch's Adam state names).
    public func optimizerTensorNames() -> [String] {
        model.layout.tensors.flatMap { ["exp_avg.\($0.name)", "exp_avg_sq.\($0.name)"] }
    }

    /// Reads or writes one Adam moment tensor ("exp_avg.<name>" or "exp_avg_sq.<name>") in place.
    /// Returns nil for an unknown name.
    public func withOptimizerTensor<R>(named name: String, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R? {
        let (buffer, tensorName): (FloatBuffer, Substring)
        if name.hasPrefix("exp_avg_sq.") {
            (buffer, tensorName) = (adamV, name.dropFirst("exp_avg_sq.".count))
        } else if name.hasPrefix("exp_avg.") {
            (buffer, tensorName) = (adamM, name.dropFirst("exp_avg.".count))
        } else {
            return nil
        }
        guard let t = model.layout.tensor(named: String(tensorName)) else { return nil }
        return try body(UnsafeMutableBufferPointer(start: buffer[t.offset], count: t.count))
    }

    /// Gradient of one parameter tensor from the last step (before clipping). For tests.
    public func withGradient<R>(named name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let t = model.layout.tensor(named: name) else { preconditionFailure("no tensor named \(name)") }
        return try body(UnsafeBufferPointer(start: gradients[t.offset], count: t.count))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
