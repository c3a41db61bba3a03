// Recurrent weights packed for the fused kernel (Sources/CRecurrentKernel): one buffer per
// team member, filled once per optimizer step (training) or once per model (inference), so
// the per-time-step product never re-packs what it reads. The kernel also applies the gate
// non-linearities and the cell update while the tile is still in registers.
import CRecurrentKernel

/// The forward product z[:, member's gates] += x @ W^T with x of `inputs` columns. Training's
/// packs hold F32; inference's hold F16 when every weight is exactly an F16 value (a model
/// saved with --dtype f16, as the bundled one is): the kernel widens them exactly as it
/// loads, so the results are the same bits, and a step streams half the bytes.
struct ForwardRecurrentPack {
    enum Precision: String { case single = "f32", half = "f16" }
    let inputs: Int
    let precision: Precision
    let buffers: [FloatBuffer]  // F32 packs, one per member (none when half)
    fileprivate let halfBuffers: [HalfBuffer]  // F16 packs, one per member (none when single)

    /// F32 packs, filled by pack(member:...) (training re-packs them every optimizer step).
    init(grouping: GateGrouping, inputs: Int) {
        self.init(inputs: inputs, precision: .single, halfBuffers: [],
                  buffers: grouping.units.map { FloatBuffer(count: max(1, cadenza_forward_pack_count(Int32(inputs), Int32($0.count)))) })
    }

    /// Every member packed at once from w (rows as for pack(member:...)): F16 if `halfIfExact`
    /// and every weight is an F16 value, else F32.
    init(grouping: GateGrouping, inputs: Int, packing w: UnsafePointer<Float>, ldw: Int, halfIfExact: Bool) {
        self.init(inputs: inputs, halfIfExact: halfIfExact, packing: grouping.units.map {
            Source(rows: w + $0.lowerBound * ldw, ldw: ldw, gateStride: grouping.hiddenSize, units: $0.count)
        })
    }

    /// One member's weights: gate g of local unit j is the row `rows + (g·gateStride + j)·ldw`.
    struct Source {
        let rows: UnsafePointer<Float>
        let ldw: Int
        let gateStride: Int
        let units: Int
    }

    /// A pack per source (member): F16 if `halfIfExact` and every weight of every member is an
    /// F16 value, else F32.
    init(inputs: Int, halfIfExact: Bool, packing sources: [Source]) {
        func count(_ m: Source) -> Int { max(1, cadenza_forward_pack_count(Int32(inputs), Int32(m.units))) }
        if halfIfExact {
            let halves = sources.map { HalfBuffer(count: count($0)) }
            let exact = zip(sources, halves).allSatisfy { m, pack in
                m.units == 0 || cadenza_forward_pack_half(pack.pointer, m.rows, Int32(m.ldw), Int32(m.gateStride),
                                                          Int32(inputs), Int32(m.units)) == 1
            }
            if exact {
                self.init(inputs: inputs, precision: .half, halfBuffers: halves, buffers: [])
                return
            }
        }
        let singles = sources.map { m -> FloatBuffer in
            let pack = FloatBuffer(count: count(m))
            if m.units > 0 {
                cadenza_forward_pack(pack.pointer, m.rows, Int32(m.ldw), Int32(m.gateStride), Int32(inputs), Int32(m.units))
            }
            return pack
        }
        self.init(inputs: inputs, precision: .single, halfBuffers: [], buffers: singles)
    }

    private init(inputs: Int, precision: Precision, halfBuffers: [HalfBuffer], buffers: [FloatBuffer]) {
        self.inputs = inputs
        self.precision = precision
        self.halfBuffers = halfBuffers
        self.buffers = buffers
    }

    /// Packs member p's rows: gate g of unit j (PyTorch row g·H + j) is `w + (g·H + j)·ldw`.
    func pack(member p: Int, grouping: GateGrouping, from w: UnsafePointer<Float>, ldw: Int) {
        precondition(precision == .single, "an F16 pack is packed once, at init")
        let u = grouping.units[p]
        guard !u.isEmpty else { return }
        cadenza_forward_pack(buffers[p].pointer, w + u.lowerBound * ldw, Int32(ldw), Int32(grouping.hiddenSize),
                             Int32(inputs), Int32(u.count))
    }

    /// One step for member p: see cadenza_forward_step. Pointers are at the member's first
    /// gate column (z, bias) and first unit (state rows).
    @inline(__always)
    func step(member p: Int, units: Int, rows: Int, x: UnsafePointer<Float>, ldx: Int, z: UnsafeMutablePointer<Float>,
              ldz: Int, bias: UnsafePointer<Float>?, cPrev: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
              tanhC: UnsafeMutablePointer<Float>?, h: UnsafeMutablePointer<Float>, lds: Int) {
        switch precision {
        case .single:
            cadenza_forward_step(buffers[p].pointer, Int32(inputs), Int32(units), Int32(rows), x, Int32(ldx), z,
                                 Int32(ldz), bias, cPrev, c, tanhC, h, Int32(lds))
        case .half:
            cadenza_forward_half_step(halfBuffers[p].pointer, Int32(inputs), Int32(units), Int32(rows), x, Int32(ldx), z,
                                      Int32(ldz), bias, cPrev, c, tanhC, h, Int32(lds))
        }
    }
}

extension ForwardRecurrentPack {
    /// The product alone for member p, no cell: z[r] += x[r] @ W^T for its 4·units outputs
    /// (see cadenza_product_step).
    @inline(__always)
    func product(member p: Int, units: Int, rows: Int, x: UnsafePointer<Float>, ldx: Int, z: UnsafeMutablePointer<Float>,
                 ldz: Int) {
        switch precision {
        case .single:
            cadenza_product_step(buffers[p].pointer, Int32(inputs), Int32(units), Int32(rows), x, Int32(ldx), z, Int32(ldz))
        case .half:
            cadenza_product_half_step(halfBuffers[p].pointer, Int32(inputs), Int32(units), Int32(rows), x, Int32(ldx), z,
                                      Int32(ldz))
        }
    }
}

/// The backward product dh[:, member's units] += dz_next @ W_hh[:, units] over all G grouped
/// gate columns of dz_next, fused with the cell's backward.
struct BackwardRecurrentPack {
    let gateColumns: Int
    let buffers: [FloatBuffer]
    let sourceRows: [Int32]

    init(grouping: GateGrouping) {
        gateColumns = 4 * grouping.hiddenSize
        let g = gateColumns
        buffers = grouping.units.map { FloatBuffer(count: max(1, cadenza_backward_pack_count(Int32(g), Int32($0.count)))) }
        sourceRows = grouping.sourceRow.map { Int32($0) }
    }

    /// Packs member p's columns of W_hh (G, H) in PyTorch order.
    func pack(member p: Int, grouping: GateGrouping, weightHH: UnsafePointer<Float>) {
        let u = grouping.units[p]
        guard !u.isEmpty else { return }
        let H = grouping.hiddenSize
        sourceRows.withUnsafeBufferPointer { rows in
            cadenza_backward_pack(buffers[p].pointer, weightHH + u.lowerBound, Int32(H), rows.baseAddress!,
                                  Int32(gateColumns), Int32(u.count))
        }
    }

    /// One step for member p: see cadenza_backward_step; `withProduct` false at the last step.
    @inline(__always)
    func step(member p: Int, units: Int, rows: Int, withProduct: Bool, dzNext: UnsafePointer<Float>, lddz: Int,
              dh: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>, ldg: Int, dc: UnsafeMutablePointer<Float>,
              tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, lds: Int) {
        cadenza_backward_step(buffers[p].pointer, withProduct ? Int32(gateColumns) : 0, Int32(units), Int32(rows), dzNext,
                              Int32(lddz), dh, gates, Int32(ldg), dc, tanhC, cPrev, Int32(lds))
    }
}

/// Which instruction set the recurrent kernel runs on, for reports.
public enum RecurrentKernel {
    public static var instructionSet: String { String(cString: cadenza_recurrent_kernel_isa()) }
}
