// Conversions between Float32 and the two 16-bit float formats safetensors stores:
// IEEE binary16 (F16) and bfloat16 (BF16). Bit-level and portable (Swift's Float16 is
// not available on every platform); rounding is to nearest, ties to even; NaN stays NaN.

enum HalfPrecision {
    /// binary16 bits -> Float (exact).
    @inline(__always)
    static func floatFromF16(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F {  // Inf or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13) | (mantissa != 0 ? 0x40_0000 : 0))
        }
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// Float -> binary16 bits, round to nearest even; overflow -> ±Inf.
    @inline(__always)
    static func f16FromFloat(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0)
        }
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal half: keep 10 mantissa bits, round the 13 dropped bits.
            var half = UInt32(unbiased + 15) << 10 | (mantissa >> 13)
            let dropped = mantissa & 0x1FFF
            if dropped > 0x1000 || (dropped == 0x1000 && (half & 1) == 1) { half += 1 }  // may carry into Inf: correct
            return sign | UInt16(half)
        }
        if unbiased < -25 { return sign }  // below half the smallest subnormal: ±0
        // Subnormal half: value = m * 2^-24 with the implicit bit restored.
        let full = mantissa | 0x80_0000  // 24 significant bits, value = full * 2^(unbiased-23)
        let shift = UInt32(-unbiased - 1)  // 14...24: bits to drop so the unit is 2^-24
        var half = full >> shift
        let dropped = full & ((1 << shift) - 1)
        let halfway = UInt32(1) << (shift - 1)
        if dropped > halfway || (dropped == halfway && (half & 1) == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// bfloat16 bits -> Float (exact).
    @inline(__always)
    static func floatFromBF16(_ b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Float -> bfloat16 bits, round to nearest even; NaN stays a quiet NaN.
    @inline(__always)
    static func bf16FromFloat(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        if f.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
