// A naive reference of the LSTM language model in Double, written for clarity, not speed:
// nested loops, arrays of arrays, no BLAS. The fast engine is tested against it, and it is
// tested against central finite differences of its own loss.
import Foundation
@testable import NN

struct ReferenceLSTM {
    let V: Int, E: Int, H: Int, L: Int
    /// Parameters by PyTorch name, row-major.
    var parameters: [String: [Double]]

    init(model: LSTMModel) {
        let c = model.configuration
        (V, E, H, L) = (c.vocabularySize, c.embeddingSize, c.hiddenSize, c.layers)
        var p: [String: [Double]] = [:]
        for name in model.tensorNames() { p[name] = model.withTensor(named: name) { $0.map(Double.init) } }
        parameters = p
    }

    struct Result {
        var loss: Double
        /// [b][t][v]
        var logits: [[[Double]]]
        /// Gradients by parameter name (empty unless requested).
        var gradients: [String: [Double]]
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Mean cross-entropy over the targets >= 0 of a batch of sequences, from zero state.
    /// tokens/targets: [b][t]. masks: nil or [layer][b][t][j] dropout multipliers on each
    /// layer's output. Computes gradients when `withGradients`.
    func run(tokens: [[Int]], targets: [[Int]], masks: [[[[Double]]]]? = nil, withGradients: Bool = true) -> Result {
        let B = tokens.count, T = tokens[0].count
        let emb = parameters["embedding.weight"]!
        // Per layer, per row b, per step t: input x, gates (activated), c, h, output y = h·mask.
        var xs: [[[[Double]]]] = []  // [k][b][t][in]
        var gi: [[[[Double]]]] = [], gf: [[[[Double]]]] = [], gg: [[[[Double]]]] = [], go: [[[[Double]]]] = []
        var cs: [[[[Double]]]] = [], hs: [[[[Double]]]] = [], ys: [[[[Double]]]] = []
        var input: [[[Double]]] = (0..<B).map { b in (0..<T).map { t in Array(emb[tokens[b][t] * E..<(tokens[b][t] + 1) * E]) } }
        for k in 0..<L {
            let inSize = k == 0 ? E : H
            let wih = parameters["lstm.weight_ih_l\(k)"]!, whh = parameters["lstm.weight_hh_l\(k)"]!
            let bih = parameters["lstm.bias_ih_l\(k)"]!, bhh = parameters["lstm.bias_hh_l\(k)"]!
            var I = [[[Double]]](repeating: [], count: B), F = I, Gg = I, O = I, C = I, Hh = I, Y = I
            for b in 0..<B {
                var h = [Double](repeating: 0, count: H), c = [Double](repeating: 0, count: H)
                for t in 0..<T {
                    let x = input[b][t]
                    var z = [Double](repeating: 0, count: 4 * H)
                    for r in 0..<(4 * H) {
                        var s = bih[r] + bhh[r]
                        for j in 0..<inSize { s += wih[r * inSize + j] * x[j] }
                        for j in 0..<H { s += whh[r * H + j] * h[j] }
                        z[r] = s
                    }
                    var i = [Double](), f = [Double](), g = [Double](), o = [Double]()
                    for j in 0..<H {
                        i.append(Self.sigmoid(z[j]))
                        f.append(Self.sigmoid(z[H + j]))
                        g.append(tanh(z[2 * H + j]))
                        o.append(Self.sigmoid(z[3 * H + j]))
                    }
                    for j in 0..<H {
                        c[j] = f[j] * c[j] + i[j] * g[j]
                        h[j] = o[j] * tanh(c[j])
                    }
                    I[b].append(i); F[b].append(f); Gg[b].append(g); O[b].append(o)
                    C[b].append(c); Hh[b].append(h)
                    Y[b].append((0..<H).map { j in h[j] * (masks?[k][b][t][j] ?? 1) })
                }
            }
            xs.append(input)
            gi.append(I); gf.append(F); gg.append(Gg); go.append(O); cs.append(C); hs.append(Hh); ys.append(Y)
            _ = inSize
            input = Y
        }
        // Head and cross-entropy.
        let hw = parameters["head.weight"]!, hb = parameters["head.bias"]!
        var logits = [[[Double]]](repeating: [], count: B)
        var dlogits = [[[Double]]](repeating: [], count: B)
        var count = 0
        for b in 0..<B { for t in 0..<T where targets[b][t] >= 0 { count += 1 } }
        var total = 0.0
        for b in 0..<B {
            for t in 0..<T {
                let y = ys[L - 1][b][t]
                var row = [Double](repeating: 0, count: V)
                for v in 0..<V {
                    var s = hb[v]
                    for j in 0..<H { s += hw[v * H + j] * y[j] }
                    row[v] = s
                }
                logits[b].append(row)
                var d = [Double](repeating: 0, count: V)
                let target = targets[b][t]
                if target >= 0 {
                    let m = row.max()!
                    let sum = row.reduce(0) { $0 + exp($1 - m) }
                    total += -(row[target] - m - log(sum))
                    for v in 0..<V { d[v] = exp(row[v] - m) / sum / Double(count) }
                    d[target] -= 1 / Double(count)
                }
                dlogits[b].append(d)
            }
        }
        let loss = count > 0 ? total / Double(count) : 0
        guard withGradients else { return Result(loss: loss, logits: logits, gradients: [:]) }

        // Backward.
        var grads: [String: [Double]] = [:]
        for (name, p) in parameters { grads[name] = [Double](repeating: 0, count: p.count) }
        // dy of the top layer's output, from the head.
        var dy = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: H), count: T), count: B)
        for b in 0..<B {
            for t in 0..<T {
                let y = ys[L - 1][b][t]
                for v in 0..<V {
                    let d = dlogits[b][t][v]
                    grads["head.bias"]![v] += d
                    for j in 0..<H {
                        grads["head.weight"]![v * H + j] += d * y[j]
                        dy[b][t][j] += d * hw[v * H + j]
                    }
                }
            }
        }
        for k in stride(from: L - 1, through: 0, by: -1) {
            let inSize = k == 0 ? E : H
            let wih = parameters["lstm.weight_ih_l\(k)"]!, whh = parameters["lstm.weight_hh_l\(k)"]!
            var dx = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: inSize), count: T), count: B)
            for b in 0..<B {
                var dhNext = [Double](repeating: 0, count: H), dcNext = [Double](repeating: 0, count: H)
                for t in stride(from: T - 1, through: 0, by: -1) {
                    let i = gi[k][b][t], f = gf[k][b][t], g = gg[k][b][t], o = go[k][b][t], c = cs[k][b][t]
                    let cPrev = t > 0 ? cs[k][b][t - 1] : [Double](repeating: 0, count: H)
                    let hPrev = t > 0 ? hs[k][b][t - 1] : [Double](repeating: 0, count: H)
                    var dz = [Double](repeating: 0, count: 4 * H)
                    for j in 0..<H {
                        let dh = dy[b][t][j] * (masks?[k][b][t][j] ?? 1) + dhNext[j]
                        let tc = tanh(c[j])
                        let dc = dcNext[j] + dh * o[j] * (1 - tc * tc)
                        dz[j] = dc * g[j] * i[j] * (1 - i[j])
                        dz[H + j] = dc * cPrev[j] * f[j] * (1 - f[j])
                        dz[2 * H + j] = dc * i[j] * (1 - g[j] * g[j])
                        dz[3 * H + j] = dh * tc * o[j] * (1 - o[j])
                        dcNext[j] = dc * f[j]
                    }
                    dhNext = [Double](repeating: 0, count: H)
                    let x = xs[k][b][t]
                    for r in 0..<(4 * H) {
                        grads["lstm.bias_ih_l\(k)"]![r] += dz[r]
                        grads["lstm.bias_hh_l\(k)"]![r] += dz[r]
                        for j in 0..<inSize {
                            grads["lstm.weight_ih_l\(k)"]![r * inSize + j] += dz[r] * x[j]
                            dx[b][t][j] += dz[r] * wih[r * inSize + j]
                        }
                        for j in 0..<H {
                            grads["lstm.weight_hh_l\(k)"]![r * H + j] += dz[r] * hPrev[j]
                            dhNext[j] += dz[r] * whh[r * H + j]
                        }
                    }
                }
            }
            if k > 0 {
                dy = dx
            } else {
                for b in 0..<B {
                    for t in 0..<T {
                        for j in 0..<E { grads["embedding.weight"]![tokens[b][t] * E + j] += dx[b][t][j] }
                    }
                }
            }
        }
        return Result(loss: loss, logits: logits, gradients: grads)
    }
}
