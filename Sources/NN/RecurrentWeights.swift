// Recurrent weights packed for the fused kernel (Sources/CRecurrentKernel): one buffer per
// team member, filled once per optimizer step (training) or once per model (inference), so
// the per-time-step product never re-packs what it reads. The kernel also applies the gate
// non-linearities and the cell update while the tile is still in registers.
import CRecurrentKernel

/// The forward product z[:, member's gates] += x @ W^T with x of `inputs` columns.
struct ForwardRecurrentPack {
    let inputs: Int
    let buffers: [FloatBuffer]

    init(grouping: GateGrouping, inputs: Int) {
        self.inputs = inputs
        buffers = grouping.units.map { FloatBuffer(count: max(1, cadenza_forward_pack_count(Int32(inputs), Int32($0.count)))) }
    }

    /// Packs member p's rows: gate g of unit j (PyTorch row g·H + j) is `w + (g·H + j)·ldw`.
    func pack(member p: Int, grouping: GateGrouping, from w: UnsafePointer<Float>, ldw: Int) {
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
        cadenza_forward_step(buffers[p].pointer, Int32(inputs), Int32(units), Int32(rows), x, Int32(ldx), z, Int32(ldz),
                             bias, cPrev, c, tanhC, h, Int32(lds))
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
