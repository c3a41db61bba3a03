// SIMD8 helpers for the engine's Swift loops (the softmax and cross-entropy over the
// vocabulary): e^x on eight lanes, and unaligned loads and stores. The LSTM cell's own math
// lives in the fused recurrent kernel (Sources/CRecurrentKernel).

typealias Float8 = SIMD8<Float>

enum VectorMath {
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
    static func load(_ p: UnsafePointer<Float>) -> Float8 {
        UnsafeRawPointer(p).loadUnaligned(as: Float8.self)
    }

    @inline(__always)
    static func store(_ v: Float8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self)
    }
}
