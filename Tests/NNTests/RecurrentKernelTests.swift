// Every build of the fused recurrent kernel that this CPU can run (AVX-512VL, AVX2+FMA,
// portable), against the step's formulas in Double: odd unit counts (partial SIMD blocks),
// row counts around each build's tile sizes, and no inputs at all.
import CRecurrentKernel
import Foundation
import TestSupport
import Testing

@Suite struct RecurrentKernelTests {
    static var builds: [Int32] {
        (0..<cadenza_recurrent_build_count()).filter { cadenza_recurrent_build_supported($0) != 0 }
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test func everyBuildStepsForwardAsTheFormulasSay() {
        #expect(Self.builds.map { String(cString: cadenza_recurrent_build_name($0)) }.contains("portable"))
        var rng = TestRandom(seed: 21)
        for build in Self.builds {
            let name = String(cString: cadenza_recurrent_build_name(build))
            for (units, k, rows) in [(5, 7, 1), (8, 0, 3), (13, 37, 5), (24, 16, 9), (16, 3, 4), (40, 9, 2), (13, 37, 6), (24, 16, 7),
                                     (40, 9, 1), (69, 20, 5)] {
                let G = 4 * units, ldz = G + 3, ldx = k + 2, lds = units + 1
                let w = rng.floats(G * max(k, 1), scale: 0.5), x = rng.floats(rows * ldx, scale: 1)
                let zIn = rng.floats(rows * ldz, scale: 1), bias = rng.floats(G, scale: 0.3), cPrev = rng.floats(rows * lds, scale: 1)
                var packed = [Float](repeating: .nan, count: max(1, cadenza_forward_pack_count(Int32(k), Int32(units))))
                cadenza_forward_pack(&packed, w, Int32(max(k, 1)), Int32(units), Int32(k), Int32(units))
                var z = zIn, c = [Float](repeating: 0, count: rows * lds), h = c, tanhC = c
                cadenza_forward_step_on(build, packed, Int32(k), Int32(units), Int32(rows), x, Int32(ldx), &z, Int32(ldz), bias,
                                        cPrev, &c, &tanhC, &h, Int32(lds))
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<units {
                        var pre = [Double](repeating: 0, count: 4)
                        for g in 0..<4 {
                            pre[g] = Double(zIn[r * ldz + g * units + j]) + Double(bias[g * units + j])
                            for kk in 0..<k { pre[g] += Double(x[r * ldx + kk]) * Double(w[(g * units + j) * max(k, 1) + kk]) }
                        }
                        let i = Self.sigmoid(pre[0]), f = Self.sigmoid(pre[1]), g = tanh(pre[2]), o = Self.sigmoid(pre[3])
                        let cn = f * Double(cPrev[r * lds + j]) + i * g
                        let expected = [i, f, g, o]
                        for gate in 0..<4 { worst = max(worst, abs(Double(z[r * ldz + gate * units + j]) - expected[gate])) }
                        worst = max(worst, abs(Double(c[r * lds + j]) - cn), abs(Double(tanhC[r * lds + j]) - tanh(cn)),
                                    abs(Double(h[r * lds + j]) - o * tanh(cn)))
                    }
                }
                #expect(worst < 2e-5, "\(name) units \(units) k \(k) rows \(rows): worst error \(worst)")
            }
        }
    }

    @Test func everyBuildStepsBackwardAsTheFormulasSay() {
        var rng = TestRandom(seed: 22)
        for build in Self.builds {
            let name = String(cString: cadenza_recurrent_build_name(build))
            for (units, kTotal, rows) in [(5, 20, 1), (8, 0, 3), (13, 52, 9), (24, 96, 7), (16, 64, 8), (40, 160, 13), (64, 96, 10), (48, 40, 32), (16, 24, 20)] {
                let G = 4 * units, ldg = G + 5, lddz = kTotal + 1, lds = units + 2
                // W_hh (kTotal rows in dz's column order, of which the units' columns are read).
                let w = rng.floats(max(kTotal, 1) * units, scale: 0.5)
                let sources = (0..<max(kTotal, 1)).map { Int32($0) }
                let dzNext = rng.floats(rows * lddz, scale: 1), dhIn = rng.floats(rows * lds, scale: 1)
                let dcIn = rng.floats(rows * lds, scale: 1), cPrev = rng.floats(rows * lds, scale: 1)
                let tanhC = rng.floats(rows * lds, scale: 0.9)
                let activations = rng.floats(rows * ldg, scale: 0.45).map { 0.5 + $0 }  // in (0, 1), like σ and |tanh|
                var packed = [Float](repeating: .nan, count: max(1, cadenza_backward_pack_count(Int32(kTotal), Int32(units))))
                cadenza_backward_pack(&packed, w, Int32(units), sources, Int32(kTotal), Int32(units))
                var dh = dhIn, dc = dcIn, gates = activations
                cadenza_backward_step_on(build, packed, Int32(kTotal), Int32(units), Int32(rows), dzNext, Int32(lddz), &dh,
                                         &gates, Int32(ldg), &dc, tanhC, cPrev, Int32(lds))
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<units {
                        var dhv = Double(dhIn[r * lds + j])
                        for kk in 0..<kTotal { dhv += Double(dzNext[r * lddz + kk]) * Double(w[kk * units + j]) }
                        let a = (0..<4).map { Double(activations[r * ldg + $0 * units + j]) }
                        let (i, f, g, o) = (a[0], a[1], a[2], a[3])
                        let tc = Double(tanhC[r * lds + j])
                        let dct = Double(dcIn[r * lds + j]) + dhv * o * (1 - tc * tc)
                        let expected = [dct * g * i * (1 - i), dct * Double(cPrev[r * lds + j]) * f * (1 - f),
                                        dct * i * (1 - g * g), dhv * tc * o * (1 - o)]
                        for gate in 0..<4 { worst = max(worst, abs(Double(gates[r * ldg + gate * units + j]) - expected[gate])) }
                        worst = max(worst, abs(Double(dc[r * lds + j]) - dct * f), abs(Double(dh[r * lds + j]) - dhv))
                    }
                }
                #expect(worst < 2e-5, "\(name) units \(units) k \(kTotal) rows \(rows): worst error \(worst)")
            }
        }
    }

    /// An F16 pack of weights that are F16 values steps to the same bits as their F32 pack, on
    /// every build, shape and row count of the formulas' test (inference packs F16 checkpoints so).
    @Test func aHalfPackStepsToTheF32PacksBits() {
        var rng = TestRandom(seed: 24)
        for build in Self.builds {
            let name = String(cString: cadenza_recurrent_build_name(build))
            for (units, k, rows) in [(5, 7, 1), (8, 0, 3), (13, 37, 5), (24, 16, 9), (16, 3, 4), (40, 9, 2), (13, 37, 6), (32, 64, 1), (48, 33, 4)] {
                let G = 4 * units, ldz = G + 3, ldx = k + 2, lds = units + 1
                // Multiples of 2^-10 below 1 in magnitude: exactly F16 values.
                let w = rng.floats(G * max(k, 1), scale: 0.9).map { ($0 * 1024).rounded() / 1024 }
                let x = rng.floats(rows * ldx, scale: 1), zIn = rng.floats(rows * ldz, scale: 1)
                let bias = rng.floats(G, scale: 0.3), cPrev = rng.floats(rows * lds, scale: 1)
                let count = max(1, cadenza_forward_pack_count(Int32(k), Int32(units)))
                var single = [Float](repeating: .nan, count: count), half = [UInt16](repeating: 0x7e00, count: count)
                cadenza_forward_pack(&single, w, Int32(max(k, 1)), Int32(units), Int32(k), Int32(units))
                #expect(cadenza_forward_pack_half(&half, w, Int32(max(k, 1)), Int32(units), Int32(k), Int32(units)) == 1)
                var z = zIn, c = [Float](repeating: 0, count: rows * lds), h = c, tanhC = c
                var zHalf = zIn, cHalf = c, hHalf = c, tanhHalf = c
                cadenza_forward_step_on(build, single, Int32(k), Int32(units), Int32(rows), x, Int32(ldx), &z, Int32(ldz), bias,
                                        cPrev, &c, &tanhC, &h, Int32(lds))
                cadenza_forward_half_step_on(build, half, Int32(k), Int32(units), Int32(rows), x, Int32(ldx), &zHalf, Int32(ldz),
                                             bias, cPrev, &cHalf, &tanhHalf, &hHalf, Int32(lds))
                let same = z.map(\.bitPattern) == zHalf.map(\.bitPattern) && c == cHalf && h == hHalf && tanhC == tanhHalf
                #expect(same, "\(name) units \(units) k \(k) rows \(rows)")
            }
        }
    }

    /// The product alone (the head's logits) is z += x @ W^T on every build, for row counts that
    /// take full tiles, smaller tiles and the single-row path, and units that leave partial
    /// blocks; each output has the same bits whatever batch it is in, and an F16 pack of F16
    /// values gives the F32 pack's bits.
    @Test func everyBuildMultipliesWithoutTheCell() {
        var rng = TestRandom(seed: 25)
        for build in Self.builds {
            let name = String(cString: cadenza_recurrent_build_name(build))
            for (units, k, rows) in [(5, 7, 1), (13, 37, 5), (24, 16, 9), (16, 3, 4), (40, 9, 2), (46, 64, 4), (46, 64, 1), (48, 33, 7)] {
                let G = 4 * units, ldz = G + 3, ldx = k + 2
                let w = rng.floats(G * k, scale: 0.9).map { ($0 * 1024).rounded() / 1024 }  // F16 values
                let x = rng.floats(rows * ldx, scale: 1), zIn = rng.floats(rows * ldz, scale: 1)
                let count = cadenza_forward_pack_count(Int32(k), Int32(units))
                var single = [Float](repeating: .nan, count: count), half = [UInt16](repeating: 0x7e00, count: count)
                cadenza_forward_pack(&single, w, Int32(k), Int32(units), Int32(k), Int32(units))
                #expect(cadenza_forward_pack_half(&half, w, Int32(k), Int32(units), Int32(k), Int32(units)) == 1)
                var z = zIn, zHalf = zIn
                cadenza_product_step_on(build, single, Int32(k), Int32(units), Int32(rows), x, Int32(ldx), &z, Int32(ldz))
                cadenza_product_half_step_on(build, half, Int32(k), Int32(units), Int32(rows), x, Int32(ldx), &zHalf, Int32(ldz))
                var worst = 0.0
                for r in 0..<rows {
                    for o in 0..<G {
                        var expected = Double(zIn[r * ldz + o])
                        for kk in 0..<k { expected += Double(x[r * ldx + kk]) * Double(w[o * k + kk]) }
                        worst = max(worst, abs(Double(z[r * ldz + o]) - expected))
                    }
                    for o in G..<ldz { #expect(z[r * ldz + o].bitPattern == zIn[r * ldz + o].bitPattern, "past the outputs") }
                    var alone = Array(zIn[(r * ldz)..<((r + 1) * ldz)])
                    cadenza_product_step_on(build, single, Int32(k), Int32(units), 1, Array(x[(r * ldx)..<((r + 1) * ldx)]),
                                            Int32(ldx), &alone, Int32(ldz))
                    #expect(alone.map(\.bitPattern) == z[(r * ldz)..<((r + 1) * ldz)].map(\.bitPattern), "\(name) row \(r) of \(rows)")
                }
                #expect(worst < 2e-5, "\(name) units \(units) k \(k) rows \(rows): worst error \(worst)")
                #expect(z.map(\.bitPattern) == zHalf.map(\.bitPattern), "\(name) F16 pack, units \(units) rows \(rows)")
            }
        }
    }

    /// The half pack takes exactly the F16 values (zeros, subnormals, the largest) and refuses
    /// anything it would have to round, so a model is never silently changed.
    @Test func aHalfPackTakesF16ValuesOnly() {
        let exact: [Float] = [0, -0.0, 1, -0.5, 65504, 0x1p-14, 0x1p-24, 1023 * 0x1p-24, -3 * 0x1p-24, 1 + 0x1p-10, 2047 * 0x1p-11]
        let rounded: [Float] = [0.1, 1 + 0x1p-11, 0x1p-25, 65520, 1e6, .nan, .infinity, 3 * 0x1p-26]
        for value in exact + rounded {
            // One unit, one input: gate g's pre-activation is the weight itself (x = 1), and
            // tanh keeps small values apart (g = tanh(w) ~ w).
            let w = [0, 0, value, 0]
            var half = [UInt16](repeating: 0, count: cadenza_forward_pack_count(1, 1))
            let taken = cadenza_forward_pack_half(&half, w, 1, 1, 1, 1) == 1
            #expect(taken == exact.contains { $0.bitPattern == value.bitPattern }, "\(value)")
            guard taken else { continue }
            var single = [Float](repeating: 0, count: cadenza_forward_pack_count(1, 1))
            cadenza_forward_pack(&single, w, 1, 1, 1, 1)
            for build in Self.builds {
                var z = [Float](repeating: 0, count: 4), zHalf = z, c: [Float] = [0], h: [Float] = [0], cHalf = c, hHalf = h
                cadenza_forward_step_on(build, single, 1, 1, 1, [1], 1, &z, 4, nil, [0], &c, nil, &h, 1)
                cadenza_forward_half_step_on(build, half, 1, 1, 1, [1], 1, &zHalf, 4, nil, [0], &cHalf, nil, &hHalf, 1)
                #expect(z[2].bitPattern == zHalf[2].bitPattern && c[0].bitPattern == cHalf[0].bitPattern, "\(value) on build \(build)")
            }
        }
    }

    /// The rows past each tile and a single stream sum in the tiles' order: a row gives the
    /// same bits whichever batch it is in (the composer compares batched and single states).
    @Test func aRowGivesTheSameBitsInAnyBatch() {
        var rng = TestRandom(seed: 23)
        let (units, k) = (44, 30)  // 32 units in the wide row and wide tiles, 8 + 4 in 8-lane ones
        let w = rng.floats(4 * units * k, scale: 0.5), x = rng.floats(9 * k, scale: 1), zIn = rng.floats(9 * 4 * units, scale: 1)
        let cPrev = rng.floats(9 * units, scale: 1)
        var packed = [Float](repeating: 0, count: cadenza_forward_pack_count(Int32(k), Int32(units)))
        cadenza_forward_pack(&packed, w, Int32(k), Int32(units), Int32(k), Int32(units))
        // 9 rows: full tiles and a single row; 7 and 6: a full tile and a smaller tile of 3 or 2.
        for build in Self.builds {
            for batch in [9, 7, 6] {
                var hAll = [Float](repeating: 0, count: batch * units), cAll = hAll, zAll = Array(zIn[0..<(batch * 4 * units)])
                cadenza_forward_step_on(build, packed, Int32(k), Int32(units), Int32(batch), x, Int32(k), &zAll, Int32(4 * units),
                                        nil, cPrev, &cAll, nil, &hAll, Int32(units))
                for r in 0..<batch {
                    var h = [Float](repeating: 0, count: units), c = h
                    var z = Array(zIn[(r * 4 * units)..<((r + 1) * 4 * units)])
                    cadenza_forward_step_on(build, packed, Int32(k), Int32(units), 1, Array(x[(r * k)..<((r + 1) * k)]), Int32(k), &z,
                                            Int32(4 * units), nil, Array(cPrev[(r * units)..<((r + 1) * units)]), &c, nil, &h,
                                            Int32(units))
                    #expect(h == Array(hAll[(r * units)..<((r + 1) * units)]), "batch \(batch) row \(r)")
                }
            }
        }
    }

    /// The backward splits a batch into tiles of different sizes (32 rows: 6 6 6 6 4 4 on AVX2, 8 8 8 8
    /// on AVX-512); each row sums in the same order in any of them, so it gives the same bits
    /// whichever batch and tile it is in.
    @Test func aRowGivesTheSameBitsInAnyBackwardBatch() {
        var rng = TestRandom(seed: 24)
        let (units, kTotal) = (48, 40)  // 32 units in wide tiles, 16 in 8-lane ones
        let G = 4 * units, rowsMax = 32
        let w = rng.floats(kTotal * units, scale: 0.5), sources = (0..<kTotal).map { Int32($0) }
        var packed = [Float](repeating: 0, count: cadenza_backward_pack_count(Int32(kTotal), Int32(units)))
        cadenza_backward_pack(&packed, w, Int32(units), sources, Int32(kTotal), Int32(units))
        let dzNext = rng.floats(rowsMax * kTotal, scale: 1), dhIn = rng.floats(rowsMax * units, scale: 1)
        let dcIn = rng.floats(rowsMax * units, scale: 1), cPrev = rng.floats(rowsMax * units, scale: 1)
        let tanhC = rng.floats(rowsMax * units, scale: 0.9)
        let activations = rng.floats(rowsMax * G, scale: 0.45).map { 0.5 + $0 }
        for build in Self.builds {
            let name = String(cString: cadenza_recurrent_build_name(build))
            for batch in [32, 20, 15, 9] {
                var dh = Array(dhIn[0..<(batch * units)]), dc = Array(dcIn[0..<(batch * units)])
                var gates = Array(activations[0..<(batch * G)])
                cadenza_backward_step_on(build, packed, Int32(kTotal), Int32(units), Int32(batch), dzNext, Int32(kTotal), &dh,
                                         &gates, Int32(G), &dc, tanhC, cPrev, Int32(units))
                for r in 0..<batch {
                    let u = (r * units)..<((r + 1) * units), g = (r * G)..<((r + 1) * G)
                    var dhOne = Array(dhIn[u]), dcOne = Array(dcIn[u]), gatesOne = Array(activations[g])
                    cadenza_backward_step_on(build, packed, Int32(kTotal), Int32(units), 1, Array(dzNext[(r * kTotal)..<((r + 1) * kTotal)]),
                                             Int32(kTotal), &dhOne, &gatesOne, Int32(G), &dcOne, Array(tanhC[u]),
                                             Array(cPrev[u]), Int32(units))
                    #expect(dhOne == Array(dh[u]) && dcOne == Array(dc[u]) && gatesOne == Array(gates[g]),
                            "\(name) batch \(batch) row \(r)")
                }
            }
        }
    }
}

extension TestRandom {
    /// Uniform in [-scale, scale).
    mutating func floats(_ count: Int, scale: Float) -> [Float] {
        (0..<count).map { _ in (Float(next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    }
}
