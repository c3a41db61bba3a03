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

    /// One step for rows 0..<B:
    ///   i = σ(zi), f = σ(zf), g = tanh(zg), o = σ(zo)
    ///   c = f·cPrev + i·g ; h = o·tanh(c)
    /// gates (B, 4H): pre-activations in, activations [i|f|g|o] out (kept for the backward).
    /// cPrev, c, tanhC, h: (B, H) with row stride H; c may alias cPrev, h may alias nothing read.
    /// tanhC may be nil (inference). bias (4H), if given, is added to every row's pre-activations first.
    @inline(__always)
    static func forward(
        gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>?,
        h: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, bias: UnsafePointer<Float>?, rows: Int, hidden H: Int
    ) {
        let vectorEnd = H & ~7
        for b in 0..<rows {
            let zi = gates + b * 4 * H, zf = zi + H, zg = zi + 2 * H, zo = zi + 3 * H
            if let bias {
                var j = 0
                while j + 8 <= 4 * H { store(load(zi + j) + load(bias + j), zi + j); j += 8 }
                while j < 4 * H { zi[j] += bias[j]; j += 1 }
            }
            let cp = cPrev + b * H, cb = c + b * H, hb = h + b * H
            let tb = tanhC.map { $0 + b * H }
            var j = 0
            while j < vectorEnd {
                let i = sigmoid8(load(zi + j)), f = sigmoid8(load(zf + j))
                let g = tanh8(load(zg + j)), o = sigmoid8(load(zo + j))
                let cn = f * load(cp + j) + i * g
                let tc = tanh8(cn)
                store(i, zi + j); store(f, zf + j); store(g, zg + j); store(o, zo + j)
                store(cn, cb + j)
                if let tb { store(tc, tb + j) }
                store(o * tc, hb + j)
                j += 8
            }
            while j < H {
                let i = sigmoid1(zi[j]), f = sigmoid1(zf[j]), g = tanh1(zg[j]), o = sigmoid1(zo[j])
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

    /// The derivative of `forward` for rows 0..<B, given dh = dL/dh_t (B, H) and dc = dL/dc_t
    /// arriving from step t+1 (B, H; overwritten with dL/dc_{t-1}):
    ///   from h = o·tanh(c):            do = dh·tanh(c);  dc += dh·o·(1 - tanh²(c))
    ///   from c = f·cPrev + i·g:        di = dc·g;  dg = dc·i;  df = dc·cPrev;  dcPrev = dc·f
    ///   through σ and tanh:            dzi = di·i(1-i), dzf = df·f(1-f), dzg = dg(1-g²), dzo = do·o(1-o)
    /// gates (B, 4H): activations in, pre-activation gradients [dzi|dzf|dzg|dzo] out.
    @inline(__always)
    static func backward(
        gates: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
        dh: UnsafePointer<Float>, tanhC: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, rows: Int, hidden H: Int
    ) {
        let vectorEnd = H & ~7
        let one = Float8(repeating: 1)
        for b in 0..<rows {
            let gi = gates + b * 4 * H, gf = gi + H, gg = gi + 2 * H, go = gi + 3 * H
            let dcb = dc + b * H, dhb = dh + b * H, tcb = tanhC + b * H, cpb = cPrev + b * H
            var j = 0
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
            while j < H {
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
