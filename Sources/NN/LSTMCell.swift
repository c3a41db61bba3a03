// The LSTM cell's element-wise math for one time step, fused in one pass over memory: the gate
// non-linearities and cell update (forward) and their derivatives (backward), side by side.
// Gate rows are PyTorch's order [i | f | g | o], each H wide. The matrix products around the
// cell are in LSTMTrainer.swift (training) and LSTMInference.swift (one token).
//
// Shapes: B rows (batch), H hidden. tanh is a rational approximation (|error| < 3e-7) evaluated
// on SIMD8 lanes; sigmoid(x) = (1 + tanh(x/2)) / 2.

typealias Float8 = SIMD8<Float>

enum LSTMCell {
    // MARK: activations

    /// tanh(x) as x·P(x²)/Q(x²) on [-7.9, 7.9], ±1 beyond (max |error| ≈ 3e-7).
    @inline(__always)
    static func tanh8(_ x: Float8) -> Float8 {
        // Clamp with compare-and-replace: pointwiseMin/Max and clamped() are scalarised.
        let limit = Float8(repeating: 7.905_311_107_635_498)
        var x = x
        x.replace(with: limit, where: x .> limit)
        x.replace(with: -limit, where: x .< -limit)
        let x2 = x * x
        var p = Float8(repeating: -2.760_768_477_423_55e-16)
        p = p * x2 + 2.000_187_904_824_77e-13
        p = p * x2 + -8.604_671_522_137_35e-11
        p = p * x2 + 5.122_297_090_371_14e-08
        p = p * x2 + 1.485_722_357_179_79e-05
        p = p * x2 + 6.372_619_288_754_36e-04
        p = p * x2 + 4.893_524_558_917_86e-03
        var q = Float8(repeating: 1.198_258_394_667_02e-06)
        q = q * x2 + 1.185_347_056_866_54e-04
        q = q * x2 + 2.268_434_632_439_00e-03
        q = q * x2 + 4.893_525_185_543_85e-03
        return x * p / q
    }

    /// e^x for x in [-87, 88] (clamped outside): 2^n · p(r), x = n·ln2 + r, |r| <= ln2/2,
    /// p a degree-6 Taylor polynomial (relative error < 2e-7).
    @inline(__always)
    static func exp8(_ x: Float8) -> Float8 {
        var x = x
        x.replace(with: 88, where: x .> 88)
        x.replace(with: -87, where: x .< -87)
        // n = round(x/ln2) by the 1.5·2^23 trick: its float sum holds n in the low mantissa bits.
        let magic = Float8(repeating: 12_582_912)
        let shifted = x * 1.442_695_040_888_963_4 + magic
        let n = shifted - magic
        let r = x - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-06
        var p = Float8(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let nInt = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        return p * unsafeBitCast((nInt &+ 127) &<< 23, to: Float8.self)
    }

    @inline(__always)
    static func sigmoid8(_ x: Float8) -> Float8 {
        0.5 + 0.5 * tanh8(0.5 * x)
    }

    @inline(__always)
    static func tanh1(_ x: Float) -> Float { tanh8(Float8(repeating: x))[0] }

    @inline(__always)
    static func sigmoid1(_ x: Float) -> Float { sigmoid8(Float8(repeating: x))[0] }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Float8 {
        UnsafeRawPointer(p).loadUnaligned(as: Float8.self)
    }

    @inline(__always)
    static func store(_ v: Float8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self)
    }

    // MARK: forward

    /// Where one step's values sit: `rows` batch rows; gate row r starts at gates + r·gateStride
    /// with the four gate blocks `gateBlock` apart ([i | f | g | o]); c, h, tanh(c), dh, dc row r
    /// starts at r·stateStride. The kernels touch hidden units `units` only, so team members
    /// can share a step by units.
    struct Layout {
        var rows: Int
        var gateStride: Int
        var gateBlock: Int
        var stateStride: Int
        var units: Range<Int>
    }

    /// One step:
    ///   i = σ(zi), f = σ(zf), g = tanh(zg), o = σ(zo)      (z = gates + bias, if bias is given)
    ///   c = f·cPrev + i·g ; h = o·tanh(c)
    /// gates: pre-activations in, activations [i|f|g|o] out (kept for the backward).
    /// bias is laid out like one gate row. c may alias cPrev. tanhC may be nil (inference).
    @inline(__always)
    static func forward(
        gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>?,
        h: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, bias: UnsafePointer<Float>?, _ l: Layout
    ) {
        let block = l.gateBlock
        let vectorEnd = l.units.lowerBound + (l.units.count & ~7)
        let zero = Float8(repeating: 0)
        for b in 0..<l.rows {
            let zi = gates + b * l.gateStride, zf = zi + block, zg = zi + 2 * block, zo = zi + 3 * block
            let s = b * l.stateStride
            let cp = cPrev + s, cb = c + s, hb = h + s
            let tb = tanhC.map { $0 + s }
            var j = l.units.lowerBound
            while j < vectorEnd {
                var bi = zero, bf = zero, bg = zero, bo = zero
                if let bias {
                    bi = load(bias + j); bf = load(bias + block + j); bg = load(bias + 2 * block + j); bo = load(bias + 3 * block + j)
                }
                let i = sigmoid8(load(zi + j) + bi), f = sigmoid8(load(zf + j) + bf)
                let g = tanh8(load(zg + j) + bg), o = sigmoid8(load(zo + j) + bo)
                let cn = f * load(cp + j) + i * g
                let tc = tanh8(cn)
                store(i, zi + j); store(f, zf + j); store(g, zg + j); store(o, zo + j)
                store(cn, cb + j)
                if let tb { store(tc, tb + j) }
                store(o * tc, hb + j)
                j += 8
            }
            while j < l.units.upperBound {
                var bi: Float = 0, bf: Float = 0, bg: Float = 0, bo: Float = 0
                if let bias { (bi, bf, bg, bo) = (bias[j], bias[block + j], bias[2 * block + j], bias[3 * block + j]) }
                let i = sigmoid1(zi[j] + bi), f = sigmoid1(zf[j] + bf), g = tanh1(zg[j] + bg), o = sigmoid1(zo[j] + bo)
                let cn = f * cp[j] + i * g
                let tc = tanh1(cn)
                zi[j] = i; zf[j] = f; zg[j] = g; zo[j] = o
                cb[j] = cn
                tb?[j] = tc
                hb[j] = o * tc
                j += 1
            }
        }
    }

    // MARK: backward

    /// The derivative of `forward`, given dh = dL/dh_t and dc = dL/dc_t arriving from step t+1
    /// (overwritten with dL/dc_{t-1}):
    ///   from h = o·tanh(c):            do = dh·tanh(c);  dc += dh·o·(1 - tanh²(c))
    ///   from c = f·cPrev + i·g:        di = dc·g;  dg = dc·i;  df = dc·cPrev;  dcPrev = dc·f
    ///   through σ and tanh:            dzi = di·i(1-i), dzf = df·f(1-f), dzg = dg(1-g²), dzo = do·o(1-o)
    /// gates: activations in, pre-activation gradients [dzi|dzf|dzg|dzo] out.
    @inline(__always)
    static func backward(
        gates: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
        dh: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, _ l: Layout
    ) {
        let block = l.gateBlock
        let vectorEnd = l.units.lowerBound + (l.units.count & ~7)
        let one = Float8(repeating: 1)
        for b in 0..<l.rows {
            let gi = gates + b * l.gateStride, gf = gi + block, gg = gi + 2 * block, go = gi + 3 * block
            let s = b * l.stateStride
            let dcb = dc + s, dhb = dh + s, tcb = tanhC + s, cpb = cPrev + s
            var j = l.units.lowerBound
            while j < vectorEnd {
                let i = load(gi + j), f = load(gf + j), g = load(gg + j), o = load(go + j)
                let tc = load(tcb + j), dhv = load(dhb + j)
                let dct = load(dcb + j) + dhv * o * (one - tc * tc)
                store(dct * g * i * (one - i), gi + j)
                store(dct * load(cpb + j) * f * (one - f), gf + j)
                store(dct * i * (one - g * g), gg + j)
                store(dhv * tc * o * (one - o), go + j)
                store(dct * f, dcb + j)
                j += 8
            }
            while j < l.units.upperBound {
                let i = gi[j], f = gf[j], g = gg[j], o = go[j], tc = tcb[j], dhv = dhb[j]
                let dct = dcb[j] + dhv * o * (1 - tc * tc)
                gi[j] = dct * g * i * (1 - i)
                gf[j] = dct * cpb[j] * f * (1 - f)
                gg[j] = dct * i * (1 - g * g)
                go[j] = dhv * tc * o * (1 - o)
                dcb[j] = dct * f
                j += 1
            }
        }
    }
}
