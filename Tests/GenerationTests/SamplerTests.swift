// The sampler against exact expectations: the grammar mask, greedy decoding, the mass
// kept by top-k and top-p, reported probabilities, and determinism for a seed.
import Foundation
import Testing
@testable import Generation

@Suite struct SamplerTests {
    /// Logits whose softmax is exactly `probabilities` (log of each).
    static func logits(_ probabilities: [Double]) -> [Float] { probabilities.map { Float(log($0)) } }

    static func frequencies(_ sampler: inout Sampler, logits: [Float], allowed: [Bool], draws: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        var counts = [Int](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { l in
            allowed.withUnsafeBufferPointer { a in
                for _ in 0..<draws { counts[sampler.sample(logits: l, allowed: a, using: &g)!.token] += 1 }
            }
        }
        return counts.map { Double($0) / Double(draws) }
    }

    let p = [0.5, 0.3, 0.15, 0.05]

    @Test func plainSamplingMatchesTheDistribution() {
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [true, true, true, true], draws: 40_000, seed: 1)
        for i in 0..<4 { #expect(abs(f[i] - p[i]) < 0.01, "token \(i): \(f[i]) vs \(p[i])") }
    }

    @Test func maskedTokensAreNeverSampledAndTheRestRenormalise() {
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [false, true, true, false], draws: 40_000, seed: 2)
        #expect(f[0] == 0 && f[3] == 0)
        #expect(abs(f[1] - 0.3 / 0.45) < 0.01)
    }

    @Test func topKKeepsExactlyTheKMostProbable() {
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 2, topP: 1))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [true, true, true, true], draws: 40_000, seed: 3)
        #expect(f[2] == 0 && f[3] == 0)
        #expect(abs(f[0] - 0.5 / 0.8) < 0.01)
    }

    @Test func topPKeepsTheSmallestSetReachingTheMass() {
        // 0.5 < 0.75 <= 0.5 + 0.3: tokens 0 and 1 are kept, 2 and 3 dropped.
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 0.75))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [true, true, true, true], draws: 40_000, seed: 4)
        #expect(f[2] == 0 && f[3] == 0)
        #expect(abs(f[0] - 0.625) < 0.01)
        // A top-p below the largest probability keeps only the most probable token.
        var greedyish = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 0.2))
        let g = Self.frequencies(&greedyish, logits: Self.logits(p), allowed: [true, true, true, true], draws: 1000, seed: 5)
        #expect(g[0] == 1)
    }

    /// The sampler ranks only the head of the candidates (a heap); the draws equal those of the
    /// plain rule written out with a full sort: temperature, min-p, top-k, top-p, one draw.
    @Test func drawsEqualAFullSortsOnRandomDistributions() {
        var rng = SeededGenerator(seed: 77)
        let settings = [SamplingSettings(temperature: 1, topK: 0, topP: 0.95), SamplingSettings(temperature: 0.7, topK: 0, topP: 0.5),
                        SamplingSettings(temperature: 1.2, topK: 5, topP: 1), SamplingSettings(temperature: 1, topK: 40, topP: 0.9),
                        SamplingSettings(temperature: 1, topK: 3, topP: 0.8, minP: 0.05)]
        for setting in settings {
            var sampler = Sampler(settings: setting)
            for trial in 0..<300 {
                let v = 1 + Int(rng.nextUnitDouble() * 400)
                // Spread logits, some repeated exactly (ties), some tokens masked.
                var logits = (0..<v).map { _ in Float((rng.nextUnitDouble() - 0.5) * 12) }
                for i in stride(from: 3, to: v, by: 7) { logits[i] = logits[i - 3] }
                var allowed = (0..<v).map { _ in rng.nextUnitDouble() < 0.8 }
                allowed[Int(rng.nextUnitDouble() * Double(v))] = true
                let seed = UInt64(trial) &* 31 &+ 5
                var g1 = SeededGenerator(seed: seed), g2 = SeededGenerator(seed: seed)
                let drawn = logits.withUnsafeBufferPointer { l in
                    allowed.withUnsafeBufferPointer { sampler.sample(logits: l, allowed: $0, using: &g1)!.token }
                }
                #expect(drawn == Self.fullSortDraw(logits: logits, allowed: allowed, settings: setting, generator: &g2),
                        "\(setting) trial \(trial)")
            }
        }
    }

    /// The sampling rule with a full sort, for comparison.
    static func fullSortDraw(logits: [Float], allowed: [Bool], settings: SamplingSettings,
                             generator: inout SeededGenerator) -> Int {
        let maxLogit = logits.indices.filter { allowed[$0] }.map { Double(logits[$0]) }.max()!
        var w = [Double](repeating: 0, count: logits.count)
        var kept: [Int] = []
        for i in logits.indices where allowed[i] {
            w[i] = exp((Double(logits[i]) - maxLogit) / settings.temperature)
            if w[i] >= settings.minP { kept.append(i) }
        }
        // Ordered only when top-k or top-p cuts (otherwise the draw walks the tokens in id order).
        if (settings.topK > 0 && settings.topK < kept.count) || settings.topP < 1 {
            kept.sort { w[$0] > w[$1] || (w[$0] == w[$1] && $0 < $1) }
        }
        if settings.topK > 0 { kept = Array(kept.prefix(settings.topK)) }
        if settings.topP < 1 {
            let target = settings.topP * kept.reduce(0) { $0 + w[$1] }
            var cumulative = 0.0
            for (j, i) in kept.enumerated() {
                cumulative += w[i]
                if cumulative >= target { kept = Array(kept.prefix(j + 1)); break }
            }
        }
        let total = kept.reduce(0) { $0 + w[$1] }
        let u = generator.nextUnitDouble() * total
        var cumulative = 0.0
        for i in kept {
            cumulative += w[i]
            if u < cumulative { return i }
        }
        return kept.last!
    }

    @Test func minPKeepsTokensAtLeastThatShareOfTheBest() {
        // min-p 0.25: 0.15 / 0.5 = 0.3 stays, 0.05 / 0.5 = 0.1 goes; the rest renormalise.
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0.25))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [true, true, true, true], draws: 40_000, seed: 9)
        #expect(f[3] == 0)
        #expect(abs(f[2] - 0.15 / 0.95) < 0.01 && abs(f[0] - 0.5 / 0.95) < 0.01)
        // It compares with the best *legal* token: with token 0 masked, 0.05 / 0.3 > 0.1 survives min-p 0.1.
        var masked = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0.1))
        let g = Self.frequencies(&masked, logits: Self.logits(p), allowed: [false, true, true, true], draws: 40_000, seed: 10)
        #expect(g[3] > 0.05)
        // And after temperature: at T = 0.5 the ratios square, 0.3^2 = 0.09 < 0.25 drops token 2.
        var cold = Sampler(settings: SamplingSettings(temperature: 0.5, topK: 0, topP: 1, minP: 0.25))
        let h = Self.frequencies(&cold, logits: Self.logits(p), allowed: [true, true, true, true], draws: 20_000, seed: 11)
        #expect(h[2] == 0 && h[3] == 0 && h[1] > 0.2)
        #expect(throws: GenerationError.self) { try SamplingSettings(minP: 1).validated() }
        #expect(throws: GenerationError.self) { try SamplingSettings(minP: -0.1).validated() }
    }

    @Test func tempoTokensTakeTheirOwnTemperature() {
        // Tokens 2 and 3 play TEMPO: at tempo temperature 0.5 their weights square (0.15^2/0.5^2
        // of token 0's ... relative to the best), the others keep temperature 1.
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1, tempoTemperature: 0.5))
        s.tempoIDs = 2..<4
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [true, true, true, true], draws: 60_000, seed: 12)
        let w = [1.0, 0.6, pow(0.3, 2), pow(0.1, 2)]  // exp((l - max) / T) for T = 1, 1, 0.5, 0.5
        let total = w.reduce(0, +)
        for i in 0..<4 { #expect(abs(f[i] - w[i] / total) < 0.01, "token \(i): \(f[i]) vs \(w[i] / total)") }
        #expect(throws: GenerationError.self) { try SamplingSettings(tempoTemperature: 0).validated() }
    }

    @Test func topPAppliesToWhatTheMaskLeaves() {
        // Legal: 1 (0.3), 2 (0.15), 3 (0.05); renormalised 0.6, 0.3, 0.1. top-p 0.85 keeps 1 and 2.
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 0.85))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [false, true, true, true], draws: 30_000, seed: 6)
        #expect(f[0] == 0 && f[3] == 0)
        #expect(abs(f[1] - 2.0 / 3.0) < 0.01)
    }

    @Test func temperatureZeroIsArgmaxOfLegalTokens() {
        var s = Sampler(settings: SamplingSettings(temperature: 0, topK: 0, topP: 1))
        let f = Self.frequencies(&s, logits: Self.logits(p), allowed: [false, true, true, true], draws: 100, seed: 7)
        #expect(f[1] == 1)
    }

    @Test func lowTemperatureSharpensHighTemperatureFlattens() {
        var cold = Sampler(settings: SamplingSettings(temperature: 0.25, topK: 0, topP: 1))
        var hot = Sampler(settings: SamplingSettings(temperature: 4, topK: 0, topP: 1))
        let all = [true, true, true, true]
        let c = Self.frequencies(&cold, logits: Self.logits(p), allowed: all, draws: 20_000, seed: 8)
        let h = Self.frequencies(&hot, logits: Self.logits(p), allowed: all, draws: 20_000, seed: 8)
        // p^(1/T) renormalised: T = 0.25 gives 0.5^4 / sum = 0.9137...
        let sharp = p.map { pow($0, 4) }
        #expect(abs(c[0] - sharp[0] / sharp.reduce(0, +)) < 0.01)
        let flat = p.map { pow($0, 0.25) }
        #expect(abs(h[3] - flat[3] / flat.reduce(0, +)) < 0.01)
    }

    @Test func reportsTheModelProbabilityAtTemperatureOneOverLegalTokens() {
        var s = Sampler(settings: SamplingSettings(temperature: 0.5, topK: 1, topP: 0.5))
        var g = SeededGenerator(seed: 1)
        let l = Self.logits(p)
        let allowed = [false, true, true, true]
        let r = l.withUnsafeBufferPointer { lp in allowed.withUnsafeBufferPointer { s.sample(logits: lp, allowed: $0, using: &g)! } }
        #expect(r.token == 1)
        #expect(abs(r.probability - 0.3 / 0.5) < 1e-6)
        #expect(abs(r.logProbability - log(0.3 / 0.5)) < 1e-6)
        let lp3 = l.withUnsafeBufferPointer { lp in allowed.withUnsafeBufferPointer { Sampler.logProbability(of: 0, logits: lp, allowed: $0) } }
        #expect(lp3 == -.infinity)
    }

    /// The reported log-probability is the same bits whichever way it is computed: from the
    /// draw's own weights (temperature 1, no min-p) or by a second pass (any other settings).
    @Test func reportedLogProbabilityIsTheModelsWhateverTheSettings() {
        var g = SeededGenerator(seed: 5)
        let v = 362
        for settings in [SamplingSettings(temperature: 1, topK: 0, topP: 1), SamplingSettings(temperature: 1, topK: 0, topP: 0.95),
                         SamplingSettings(temperature: 1, topK: 40, topP: 0.9), SamplingSettings(temperature: 0.8, topK: 0, topP: 0.95),
                         SamplingSettings(temperature: 1, topK: 0, topP: 0.95, minP: 0.05),
                         SamplingSettings(temperature: 1, topK: 0, topP: 0.95, tempoTemperature: 0.5)] {
            var s = Sampler(settings: settings)
            s.tempoIDs = 300..<320
            for _ in 0..<50 {
                let l = (0..<v).map { _ in Float(g.nextUnitDouble() * 12 - 6) }
                let allowed = (0..<v).map { _ in g.nextUnitDouble() < 0.7 }
                l.withUnsafeBufferPointer { lp in
                    allowed.withUnsafeBufferPointer { a in
                        let r = s.sample(logits: lp, allowed: a, using: &g)!
                        let expected = Sampler.logProbability(of: r.token, logits: lp, allowed: a)
                        #expect(r.logProbability.bitPattern == expected.bitPattern, "\(settings)")
                    }
                }
            }
        }
    }

    @Test func sameSeedSameTokensDifferentSeedDifferentTokens() {
        var g = SeededGenerator(seed: 99)
        let v = 300
        let l = (0..<v).map { _ in Float(g.nextUnitDouble() * 8 - 4) }
        let allowed = (0..<v).map { $0 % 5 != 0 }
        func run(_ seed: UInt64) -> [Int] {
            var s = Sampler(settings: SamplingSettings(temperature: 1.1, topK: 40, topP: 0.9))
            var gen = SeededGenerator(seed: seed)
            return l.withUnsafeBufferPointer { lp in allowed.withUnsafeBufferPointer { a in
                (0..<200).map { _ in s.sample(logits: lp, allowed: a, using: &gen)!.token } } }
        }
        #expect(run(5) == run(5))
        #expect(run(5) != run(6))
        #expect(run(5).allSatisfy { $0 % 5 != 0 })
        #expect(Set(run(5)).count <= 40)
    }

    @Test func nonFiniteLogitsGiveNoToken() {
        var s = Sampler(settings: SamplingSettings(temperature: 1, topK: 0, topP: 1))
        var g = SeededGenerator(seed: 1)
        let allowed = [true, true, false, true]
        for bad in [Float.nan, .infinity, -.infinity] {
            for at in 0..<4 {  // a disallowed logit counts too: the model itself is broken
                var l = Self.logits(p)
                l[at] = bad
                let r = l.withUnsafeBufferPointer { lp in allowed.withUnsafeBufferPointer { s.sample(logits: lp, allowed: $0, using: &g) } }
                #expect(r == nil, "\(bad) at \(at)")
            }
        }
    }

    @Test func settingsValidation() {
        #expect(throws: GenerationError.self) { try SamplingSettings(temperature: -1).validated() }
        #expect(throws: GenerationError.self) { try SamplingSettings(temperature: .nan).validated() }
        #expect(throws: GenerationError.self) { try SamplingSettings(topP: 0).validated() }
        #expect(throws: GenerationError.self) { try SamplingSettings(topP: 1.01).validated() }
        #expect(throws: GenerationError.self) { try SamplingSettings(topK: -3).validated() }
        #expect((try? SamplingSettings(temperature: 0, topK: 0, topP: 1).validated()) != nil)
        // One range for every front end: 0 (greedy) up to 3, where generate once took 100.
        #expect((try? SamplingSettings(temperature: 3).validated()) != nil)
        #expect(throws: GenerationError.invalidSetting(name: "temperature", value: "100.0", expected: SamplingSettings.Knob.temperature.expected)) {
            try SamplingSettings(temperature: 100).validated()
        }
        #expect(throws: GenerationError.self) { try SamplingSettings(tempoTemperature: 3.5).validated() }
    }

    @Test func oneMessageNamesTheKnobItsRangeAndTheValue() {
        do {
            _ = try SamplingSettings(temperature: 5).validated()
            Issue.record("temperature 5 was accepted")
        } catch {
            #expect("\(error)" == "temperature must be a number in [0, 3], 0 for the likeliest token (got 5.0)")
        }
        do {
            _ = try SamplingSettings(topK: -2).validated()
            Issue.record("top-k -2 was accepted")
        } catch {
            #expect("\(error)" == "top-k must be an integer >= 0, 0 for no limit (got -2)")
        }
    }

    @Test func theSessionRefusesWhatGenerateAndComposeRefuse() throws {
        let session = try TestModels.session(seed: 3)
        try session.setSettings(SamplingSettings(temperature: 0))  // greedy is allowed everywhere
        #expect(throws: GenerationError.self) { try session.setSettings(SamplingSettings(temperature: 4)) }
        #expect(session.settings.temperature == 0)  // unchanged by the refused change
        #expect(throws: GenerationError.self) {
            try TestModels.session(seed: 3, settings: SamplingSettings(topP: 0))
        }
    }
}
