// The output head for sampling, logits = h @ head.weight^T + head.bias, on the recurrent
// kernel's product (no cell): the weights are packed once per model, F16 when they are all F16
// values (the bundled model), and read once per step for every stream of a batch. BLAS, which
// it replaces here, streamed the F32 weights once per stream (sgemv) or re-packed them at every
// batched step (sgemm, 5% of a best-of-4 regeneration's time).

/// Member p owns vocabulary rows `shares[p]` (Vp of them), packed as the kernel's 4 "gates"
/// of U = ceil(Vp / 4) rows each, the last padded with zero rows: the pack's 4U outputs are
/// the member's logits in vocabulary order, then padding. Each logit sums over H in order from
/// its bias, so a stream gets the same bits alone or in a batch, at any thread count.
final class HeadPack {
    let shares: [Range<Int>]
    private let pack: ForwardRecurrentPack
    private let paddedBias: [FloatBuffer]  // (4U) per member
    private var scratch: [FloatBuffer]  // (rows, 4U) per member: the padded outputs
    private var scratchRows = 0

    var precision: ForwardRecurrentPack.Precision { pack.precision }

    /// weight (V, H) and bias (V) as in the model; `halfIfExact` as for the recurrent packs.
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, vocabularySize V: Int, hiddenSize H: Int,
         team: ThreadTeam, halfIfExact: Bool) {
        shares = (0..<team.size).map { team.share(V, $0) }
        let units = shares.map { Self.units($0.count) }
        // Each member's rows, padded to 4U with zero rows (the kernel's pack reads 4U rows).
        let padded = zip(shares, units).map { share, u -> FloatBuffer in
            let rows = FloatBuffer(count: 4 * u * H)
            rows.pointer.update(from: weight + share.lowerBound * H, count: share.count * H)
            return rows
        }
        // The sources point into `padded`, which must outlive the packing.
        pack = withExtendedLifetime(padded) {
            ForwardRecurrentPack(inputs: H, halfIfExact: halfIfExact, packing: zip(padded, units).map {
                ForwardRecurrentPack.Source(rows: $0.pointer, ldw: H, gateStride: $1, units: $1)
            })
        }
        paddedBias = zip(shares, units).map { share, u in
            let b = FloatBuffer(count: 4 * u)
            b.pointer.update(from: bias + share.lowerBound, count: share.count)
            return b
        }
        scratch = units.map { FloatBuffer(count: 4 * $0) }
        scratchRows = 1
    }

    private static func units(_ rows: Int) -> Int { (rows + 3) / 4 }

    /// Room for `rows` streams (allocates; a step does not).
    func reserve(rows: Int) {
        guard rows > scratchRows else { return }
        scratch = shares.map { FloatBuffer(count: rows * 4 * Self.units($0.count)) }
        scratchRows = rows
    }

    /// Member p's logits of `rows` streams: x (rows, H) rows ldx apart, into out (rows, V)
    /// rows ldo apart, at the member's vocabulary rows only. Precondition: reserve(rows:).
    @inline(__always)
    func step(member p: Int, rows: Int, x: UnsafePointer<Float>, ldx: Int, out: UnsafeMutablePointer<Float>, ldo: Int) {
        let share = shares[p], u = Self.units(share.count)
        guard u > 0 else { return }
        precondition(rows <= scratchRows, "reserve(rows:) first")
        let z = scratch[p].pointer, width = 4 * u
        for r in 0..<rows { (z + r * width).update(from: paddedBias[p].pointer, count: width) }
        pack.product(member: p, units: u, rows: rows, x: x, ldx: ldx, z: z, ldz: width)
        for r in 0..<rows { (out + r * ldo + share.lowerBound).update(from: z + r * width, count: share.count) }
    }
}
