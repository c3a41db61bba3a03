// A preset flattened for playing: every (preset zone x instrument zone) pair with
// its key/velocity ranges intersected, generator values combined (instrument values
// over defaults, plus preset offsets) and modulators merged (defaults, instrument,
// preset). Built once per instrument; note-on only scans this list.
import Foundation
import UntrustedText

struct SoundFontRegion {
    var keyRange: ClosedRange<Int>
    var velocityRange: ClosedRange<Int>
    var sampleIndex: Int
    /// Generator values, SFGenerator.count of them.
    var generators: [Int32]
    var modulators: [SoundFontModulator]

    /// SF2 default modulators we honour (spec 8.4): velocity to attenuation, volume (CC7),
    /// expression (CC11) and pan (CC10) at their power-on values. Velocity to filter cutoff
    /// (8.4.2) is left out, as FluidSynth leaves it out: its effect is ill-defined in the spec,
    /// and fonts voiced on FluidSynth (most free ones) sound dull with it.
    static let defaultModulators: [SoundFontModulator] = [
        SoundFontModulator(source: 0x0502, destination: 48, amount: 960, amountSource: 0, transform: 0),
        SoundFontModulator(source: 0x0587, destination: 48, amount: 960, amountSource: 0, transform: 0),
        SoundFontModulator(source: 0x058B, destination: 48, amount: 960, amountSource: 0, transform: 0),
        SoundFontModulator(source: 0x028A, destination: 17, amount: 1000, amountSource: 0, transform: 0),
    ]

    /// Most regions one preset may have. Real fonts have hundreds (FluidR3_GM's largest
    /// preset: 738 zone pairs); a 64 KB crafted file could ask for millions of pairs.
    static let maximumRegions = 65_536

    static func regions(of preset: SoundFontPreset, in font: SoundFont) throws -> [SoundFontRegion] {
        var pairs = 0
        for presetZone in preset.zones {
            guard let i = presetZone.link, i < font.instruments.count else { continue }
            pairs += font.instruments[i].zones.count
        }
        guard pairs <= maximumRegions else {
            throw SynthesisError.tooManyRegions(preset: escapedForDisplay(preset.name), count: pairs, limit: maximumRegions)
        }
        var out: [SoundFontRegion] = []
        for presetZone in preset.zones {
            guard let instrumentIndex = presetZone.link, instrumentIndex < font.instruments.count else { continue }
            let instrument = font.instruments[instrumentIndex]
            // Preset offsets: global zone, then the local zone replaces per generator.
            var presetOffsets = [Int32](repeating: 0, count: SFGenerator.count)
            var presetKeys = 0...127, presetVelocities = 0...127
            for zone in [preset.globalZone, presetZone].compactMap({ $0 }) {
                for g in zone.generators where !SFGenerator.instrumentOnly.contains(g.number)
                    && g.number != SFGenerator.keyRange && g.number != SFGenerator.velRange {
                    presetOffsets[g.number] = Int32(g.amount)
                }
                presetKeys = clampRange(presetKeys, zone.keyRange)
                presetVelocities = clampRange(presetVelocities, zone.velocityRange)
            }
            let presetMods = merged([preset.globalZone?.modulators ?? [], presetZone.modulators])
            for instrumentZone in instrument.zones {
                guard let sampleIndex = instrumentZone.link else { continue }
                var values = SFGenerator.defaults
                for zone in [instrument.globalZone, instrumentZone].compactMap({ $0 }) {
                    for g in zone.generators { values[g.number] = Int32(g.amount) }
                }
                let keys = instrumentZone.generators.contains { $0.number == SFGenerator.keyRange }
                    ? instrumentZone.keyRange : (instrument.globalZone?.keyRange ?? 0...127)
                let velocities = instrumentZone.generators.contains { $0.number == SFGenerator.velRange }
                    ? instrumentZone.velocityRange : (instrument.globalZone?.velocityRange ?? 0...127)
                guard presetKeys.overlaps(keys), presetVelocities.overlaps(velocities) else { continue }
                for k in 0..<SFGenerator.count { values[k] += presetOffsets[k] }
                var mods = merged([defaultModulators, instrument.globalZone?.modulators ?? [], instrumentZone.modulators])
                // Preset modulators add to the instrument's (spec 9.5).
                mods += presetMods
                out.append(SoundFontRegion(keyRange: clampRange(presetKeys, keys),
                                           velocityRange: clampRange(presetVelocities, velocities),
                                           sampleIndex: sampleIndex, generators: values, modulators: mods))
            }
        }
        return out
    }

    private static func clampRange(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> ClosedRange<Int> {
        let lo = max(a.lowerBound, b.lowerBound), hi = min(a.upperBound, b.upperBound)
        return lo <= hi ? lo...hi : lo...lo
    }

    /// Later lists replace identical modulators of earlier ones.
    private static func merged(_ lists: [[SoundFontModulator]]) -> [SoundFontModulator] {
        var out: [SoundFontModulator] = []
        for list in lists {
            for m in list {
                if let i = out.firstIndex(where: { $0.sameIdentity(as: m) }) { out[i] = m } else { out.append(m) }
            }
        }
        return out
    }
}

/// Modulator evaluation at note-on (a controller that moves while a note sounds changes
/// the notes that follow, not that one).
enum SoundFontModulation {
    /// The MIDI controllers modulators read: volume (CC7) and expression (CC11) as the
    /// file sets them, pan (CC10) centred; General MIDI power-on values.
    struct Controllers {
        var volume = 100
        var expression = 127
    }

    /// Value in 0...1 (unipolar) or -1...1 (bipolar) of a modulator source. 7-bit values
    /// are read over 127, as FluidSynth does, so velocity 127 and CC7 127 attenuate nothing.
    static func source(_ operand: UInt16, key: Int, velocity: Int, controllers: Controllers) -> Double? {
        let index = Int(operand & 0x7F)
        let isController = operand & 0x80 != 0
        let maxToMin = operand & 0x100 != 0
        let bipolar = operand & 0x200 != 0
        let shape = Int(operand >> 10)
        var x: Double
        if isController {
            switch index {
            case 7: x = Double(controllers.volume) / 127
            case 10: x = 0.5             // pan centre (exactly 0 when bipolar)
            case 11: x = Double(controllers.expression) / 127
            default: x = 0
            }
        } else {
            switch index {
            case 0: return 1             // "no controller": treated as 1
            case 2: x = Double(velocity) / 127
            case 3: x = Double(key) / 127
            case 10, 13: x = 0           // pressure
            case 14: x = 0.5             // pitch wheel centred
            case 16: x = 2.0 / 128       // pitch wheel sensitivity
            default: return nil          // links and unknown sources: ignore the modulator
            }
        }
        if maxToMin { x = 1 - x }
        func curve(_ v: Double) -> Double {
            switch shape {
            case 0: return v
            case 1: return concave(v)
            case 2: return convex(v)
            case 3: return v >= 0.5 ? 1 : 0                                              // switch
            default: return v
            }
        }
        if bipolar {
            let centred = 2 * x - 1
            return centred >= 0 ? curve(centred) : -curve(-centred)
        }
        return curve(x)
    }

    /// The spec's concave curve (9.5.3): 0 to 1 with an amplitude-squared shape, steep at the end.
    static func concave(_ v: Double) -> Double { v >= 1 ? 1 : min(1, max(0, -40.0 / 96 * log10(1 - v))) }
    /// Its mirror image, steep at the start (also the modulation envelope's attack).
    static func convex(_ v: Double) -> Double { v <= 0 ? 0 : 1 - min(1, max(0, -40.0 / 96 * log10(v))) }

    /// Adds every modulator's contribution at note-on to `add` (indexed by generator).
    static func apply(_ modulators: [SoundFontModulator], key: Int, velocity: Int, controllers: Controllers,
                      into add: UnsafeMutablePointer<Double>) {
        for m in modulators {
            let destination = Int(m.destination)
            guard destination < SFGenerator.count, m.destination & 0x8000 == 0,
                  let a = source(m.source, key: key, velocity: velocity, controllers: controllers),
                  let b = source(m.amountSource, key: key, velocity: velocity, controllers: controllers) else { continue }
            var value = Double(m.amount) * a * b
            if m.transform == 2 { value = abs(value) }
            add[destination] += value
        }
    }
}
