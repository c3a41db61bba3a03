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
    private let halfBuffers: [HalfBuffer]  // F16 packs, one per member (none when single)

    /// F32 packs, filled by pack(member:...) (training re-packs them every optimizer step).
    init(grouping: GateGrouping, inputs: Int) {
        self.init(inputs: inputs, precision: .single, halfBuffers: [],
                  buffers: grouping.units.map { FloatBuffer(count: max(1, cadenza_forward_pack_count(Int32(inputs), Int32($0.count)))) })
    }

    /// Every member packed at once from w (rows as for pack(member:...)): F16 if `halfIfExact`
    /// and every weight is an F16 value, else F32.
    init(grouping: GateGrouping, inputs: Int, packing w: UnsafePointer<Float>, ldw: Int, halfIfExact: Bool) {
        if halfIfExact, let halves = Self.halfPacks(grouping: grouping, inputs: inputs, from: w, ldw: ldw) {
            self.init(inputs: inputs, precision: .half, halfBuffers: halves, buffers: [])
        } else {
            self.init(grouping: grouping, inputs: inputs)
            for p in grouping.units.indices { pack(member: p, grouping: grouping, from: w, ldw: ldw) }
        }
    }

    private init(inputs: Int, precision: Precision, halfBuffers: [HalfBuffer], buffers: [FloatBuffer]) {
        self.inputs = inputs
        self.precision = precision
        self.halfBuffers = halfBuffers
        self.buffers = buffers
    }

    /// Every member's F16 pack, or nil when a weight is not exactly an F16 value.
    private static func halfPacks(grouping: GateGrouping, inputs: Int, from w: UnsafePointer<Float>, ldw: Int) -> [HalfBuffer]? {
        var packs: [HalfBuffer] = []
        for u in grouping.units {
            let pack = HalfBuffer(count: max(1, cadenza_forward_pack_count(Int32(inputs), Int32(u.count))))
            if !u.isEmpty && cadenza_forward_pack_half(pack.pointer, w + u.lowerBound * ldw, Int32(ldw), Int32(grouping.hiddenSize),
                                                       Int32(inputs), Int32(u.count)) != 1 { return nil }
            packs.append(pack)
        }
        return packs
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
