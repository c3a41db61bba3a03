// The output head for sampling, logits = h @ head.weight^T + head.bias, on the recurrent
// kernel's product (no cell): the weights are packed once per model, F16 when they are all F16
// values (the bundled model), and read once per step for every stream of a batch. BLAS, which
// it replaces here, streamed the F32 weights once per stream (sgemv) or re-packed them at every
// batched step (sgemm, 5% of a best-of-4 regeneration's time).
import CRecurrentKernel

/// Member p owns vocabulary rows `shares[p]` (Vp of them), packed as the kernel's 4 "gates"
/// of U = ceil(Vp / 4) rows each, the last padded with zero rows: the pack's 4U outputs are
/// the member's logits in vocabulary order, then padding. Each logit sums over H in order from
/// its bias, so a stream gets the same bits alone or in a batch, at any thread count.
final class HeadPack {
    let hiddenSize: Int
    let shares: [Range<Int>]
    let precision: ForwardRecurrentPack.Precision
    private let singles: [FloatBuffer]  // F32 packs (none when half)
    private let halves: [HalfBuffer]  // F16 packs (none when single)
    private let paddedBias: [FloatBuffer]  // (4U) per member
    private var scratch: [FloatBuffer]  // (rows, 4U) per member: the padded outputs
    private var scratchRows = 0

    /// weight (V, H) and bias (V) as in the model; `halfIfExact` as for the recurrent packs.
    init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, vocabularySize V: Int, hiddenSize H: Int,
         team: ThreadTeam, halfIfExact: Bool) {
        hiddenSize = H
        shares = (0..<team.size).map { team.share(V, $0) }
        let units = shares.map { Self.units($0.count) }
        // Each member's rows, padded to 4U with zero rows (the kernel's pack reads 4U rows).
        let padded = zip(shares, units).map { share, u -> FloatBuffer in
            let rows = FloatBuffer(count: 4 * u * H)
            rows.pointer.update(from: weight + share.lowerBound * H, count: share.count * H)
            return rows
        }
        var halves: [HalfBuffer] = []
        if halfIfExact {
            for (rows, u) in zip(padded, units) {
                let pack = HalfBuffer(count: max(1, cadenza_forward_pack_count(Int32(H), Int32(u))))
                guard u == 0 || cadenza_forward_pack_half(pack.pointer, rows.pointer, Int32(H), Int32(u), Int32(H), Int32(u)) == 1
                else { halves = []; break }
                halves.append(pack)
            }
        }
        if halves.count == shares.count {
            precision = .half
            singles = []
        } else {
            precision = .single
            halves = []
            singles = zip(padded, units).map { rows, u in
                let pack = FloatBuffer(count: max(1, cadenza_forward_pack_count(Int32(H), Int32(u))))
                if u > 0 { cadenza_forward_pack(pack.pointer, rows.pointer, Int32(H), Int32(u), Int32(H), Int32(u)) }
                return pack
            }
        }
        self.halves = halves
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
        switch precision {
        case .single:
            cadenza_product_step(singles[p].pointer, Int32(hiddenSize), Int32(u), Int32(rows), x, Int32(ldx), z, Int32(width))
        case .half:
            cadenza_product_half_step(halves[p].pointer, Int32(hiddenSize), Int32(u), Int32(rows), x, Int32(ldx), z, Int32(width))
        }
        for r in 0..<rows { (out + r * ldo + share.lowerBound).update(from: z + r * width, count: share.count) }
    }
}
