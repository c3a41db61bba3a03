// The built-in piano's physics in closed form: for a pitch and a velocity, which
// partials sound, how loud, how sharp (string stiffness) and how fast each decays.
// Pure functions, called at note-on; the per-sample work is in BuiltinPiano.swift.
// Numbers are approximations of measured piano data, tuned by ear and by comparing
// spectra with FluidSynth's piano; each says what it models.
import Foundation

/// One oscillator of a piano note: a damped sinusoid.
struct PianoPartial {
    var frequencyHz: Double
    var amplitude: Double
    /// Time for the amplitude to fall by a factor e.
    var decaySeconds: Double
}

enum PianoTimbre {
    /// Most partials a note gets (bass notes need many to sound like a piano).
    static let maxPartials = 40
    /// How many of the lowest partials get two detuned strings (beating, two-stage decay).
    static let doubledPartials = 8
    /// Oscillators per voice, a multiple of 8 (SIMD width).
    static let maxOscillators = 48

    static func fundamentalHz(pitch: Int) -> Double { 440.0 * pow(2.0, Double(pitch - 69) / 12.0) }

    /// String stiffness B in f_n = n f0 sqrt(1 + B n^2): ~1e-4 in the bass (wound strings),
    /// a few 1e-3 at the top, as measured on grand pianos.
    static func inharmonicity(pitch: Int) -> Double {
        let t = min(1, max(0, Double(pitch - 21) / 87.0))
        return pow(10.0, -4.0 + 1.7 * pow(t, 1.5))
    }

    /// The slow ("aftersound") decay of the fundamental, seconds to fall by e:
    /// ~9 s in the low bass, ~2.5 s at middle C, ~0.6 s at the top.
    static func fundamentalDecaySeconds(pitch: Int) -> Double {
        9.0 * pow(2.0, -Double(pitch - 21) / 22.0)
    }

    /// Damper release (seconds to fall by e). Notes above F#6 have no dampers on a real
    /// piano and ring on; we still fade them, only more slowly.
    static func releaseSeconds(pitch: Int) -> Double {
        if pitch > 90 { return 0.35 }
        return max(0.04, 0.12 - 0.0009 * Double(pitch - 21))
    }

    /// Loudness of a velocity, as amplitude: ~36 dB between pp (16) and fff (127).
    static func velocityGain(_ velocity: Int) -> Double {
        let v = Double(min(127, max(1, velocity))) / 127.0
        return pow(v, 2.0)
    }

    /// Detuning between the two strings of a note, in cents (0.5 to 1.5, varied per key
    /// by a fixed hash so neighbouring notes do not beat alike).
    static func unisonDetuneCents(pitch: Int) -> Double {
        let h = (pitch &* 2_654_435_761) & 0xFFFF
        return 0.5 + Double(h) / 65535.0
    }

    /// Partials of one note. The hammer strikes at ~1/8.5 of the string (a comb over
    /// partial numbers); a harder blow is brighter (felt hammer acts as a low-pass whose
    /// corner rises with velocity); higher partials lose energy faster.
    static func partials(pitch: Int, velocity: Int, sampleRate: Double) -> [PianoPartial] {
        var out: [PianoPartial] = []
        partials(pitch: pitch, velocity: velocity, sampleRate: sampleRate) { out.append($0) }
        return out
    }

    /// The same, without allocating: calls `body` once per partial.
    @inline(__always)
    static func partials(pitch: Int, velocity: Int, sampleRate: Double, _ body: (PianoPartial) -> Void) {
        let f0 = fundamentalHz(pitch: pitch)
        let b = inharmonicity(pitch: pitch)
        let v = Double(min(127, max(1, velocity))) / 127.0
        let maxHz = min(0.45 * sampleRate, 14_000)
        let strikePoint = 1.0 / 8.5
        // Felt low-pass corner: 1.5 kHz for pp to ~10 kHz for fff, a little higher for high notes.
        let cornerHz = (1500 + 9000 * v * v) * (1 + max(0, Double(pitch - 60)) / 48)
        let tau1 = fundamentalDecaySeconds(pitch: pitch)
        var n = 1
        while n <= maxPartials {
            let nd = Double(n)
            let fn = nd * f0 * (1 + b * nd * nd).squareRoot()
            if fn >= maxHz { break }
            // Softened: a felt hammer is wide, so the notches are shallow.
            let comb = 0.35 + 0.65 * abs(sin(Double.pi * nd * strikePoint))
            let tilt = pow(nd, -0.9)
            let ratio = fn / cornerHz
            let felt = 1 / (1 + ratio * ratio)
            // Bass fundamentals are weak on a real piano (small soundboard radiation).
            let radiation = fn < 80 ? fn / 80 : 1
            let amplitude = comb * tilt * felt * radiation
            let decay = tau1 / (1 + 0.9 * pow(fn / 1000, 1.3) + 0.02 * nd)
            body(PianoPartial(frequencyHz: fn, amplitude: amplitude, decaySeconds: decay))
            n += 1
        }
    }
}
