// Plays one SoundFont preset as a SoundSource: note-on finds the matching regions,
// resolves generators and modulators into a sample voice (pitch, loop, volume and
// modulation envelopes, attenuation, pan, resonant low-pass filter), and render mixes the
// voices with linear interpolation; the modulation envelope moves pitch and cutoff once a
// block. Levels follow FluidSynth's rules so fonts sound as their makers heard them.
// Stolen voices fade out in a spare slot. No allocation in render or in note events
// (regions and voices are built in init). No LFOs; volume and expression (CC7, CC11) set
// the level of the notes that follow them.
import Foundation
import UntrustedText

public final class SoundFontInstrument: SoundSource {
    public let sampleRate: Double
    public let polyphony: Int
    public let presetName: String

    private struct Voice {
        var active = false
        var held = false
        var fading = false
        /// The key that was played (not a zone's keynum override): note-off finds the voice by it.
        var key = -1
        var exclusiveClass = 0
        var position = 0.0
        /// Frames of sample per output frame, before the modulation envelope's pitch.
        var step = 1.0
        var end = 0
        var loopStart = 0
        var loopEnd = 0
        var loops = false
        var loopUntilRelease = false
        var envelope = SoundFontEnvelope()
        var modulation = SoundFontEnvelope()
        var modulationToPitchCents = 0.0
        var modulationToFilterCents = 0.0
        var amplitude: Float = 0       // at the end of the last block
        var gainLeft: Float = 0
        var gainRight: Float = 0
        /// Cutoff in absolute cents before the modulation envelope; Q as a linear factor.
        var filterCents = 13_500.0
        var filterQ = 0.7071
        var filterOn = false
        var filterHz = 0.0             // the cutoff the coefficients were made for
        var b0: Float = 1, b1: Float = 0, b2: Float = 0, a1: Float = 0, a2: Float = 0
        var z1: Float = 0, z2: Float = 0
        var fadeStep: Float = 0
        var startOrder: UInt64 = 0
    }

    private static let spareSlots = 16
    private static let fadeFrames: Float = 64
    /// Output level: SoundFont samples are full scale and many voices sum. FluidSynth's
    /// default synth.gain, so a render is as loud as FluidSynth's of the same file.
    private static let masterGain: Float = 0.2
    /// EMU hardware applied 0.4 x the attenuation generator; fonts are voiced for it, and
    /// FluidSynth does the same.
    private static let attenuationFactor = 0.4

    private let font: SoundFont
    private let regions: [SoundFontRegion]
    private let voices: UnsafeMutablePointer<Voice>
    private let slotCount: Int
    private let generatorScratch: UnsafeMutablePointer<Double>
    private let modulatorScratch: UnsafeMutablePointer<Double>
    private var counter: UInt64 = 0
    private var controllers = SoundFontModulation.Controllers()

    /// Plays `bank`/`program` of `soundFont` (default: the acoustic grand, 0/0). If that
    /// preset is missing, falls back to the first preset of bank 0, else throws.
    public init(soundFont: SoundFont, sampleRate: Double, bank: Int = 0, program: Int = 0, polyphony: Int = 64) throws {
        precondition(sampleRate >= 8000 && polyphony >= 1)
        guard let preset = soundFont.preset(bank: bank, program: program)
                ?? soundFont.presets.filter({ $0.bank == bank }).min(by: { $0.program < $1.program })
                ?? soundFont.presets.first else {
            throw SynthesisError.presetNotFound(path: escapedForDisplay(soundFont.name), bank: bank, program: program)
        }
        self.sampleRate = sampleRate
        self.polyphony = polyphony
        presetName = preset.name
        font = soundFont
        regions = try SoundFontRegion.regions(of: preset, in: soundFont)
        slotCount = polyphony + Self.spareSlots
        voices = .allocate(capacity: slotCount)
        voices.initialize(repeating: Voice(), count: slotCount)
        generatorScratch = .allocate(capacity: SFGenerator.count)
        modulatorScratch = .allocate(capacity: SFGenerator.count)
    }

    deinit {
        voices.deinitialize(count: slotCount); voices.deallocate()
        generatorScratch.deallocate(); modulatorScratch.deallocate()
    }

    public var activeVoiceCount: Int {
        var n = 0
        for i in 0..<slotCount where voices[i].active { n += 1 }
        return n
    }

    // MARK: events

    public func noteOn(pitch: Int, velocity: Int) {
        guard (0...127).contains(pitch) else { return }
        if velocity <= 0 { noteOff(pitch: pitch); return }
        let velocity = min(127, velocity)
        // A repeated key releases its previous strike.
        releaseVoices(key: pitch)
        counter &+= 1
        // More layers than voices would only steal each other (and cost time on a crafted font).
        var started = 0
        for r in regions.indices where regions[r].keyRange.contains(pitch) && regions[r].velocityRange.contains(velocity) {
            startVoice(region: r, key: pitch, velocity: velocity)
            started += 1
            if started == polyphony { break }
        }
    }

    public func noteOff(pitch: Int) { releaseVoices(key: pitch) }

    public func controlChange(controller: Int, value: Int) {
        let value = min(127, max(0, value))
        switch controller {
        case 7: controllers.volume = value
        case 11: controllers.expression = value
        default: break
        }
    }

    public func allNotesOff() {
        for i in 0..<polyphony where voices[i].active && voices[i].held {
            voices[i].envelope.releasePerFrame = max(voices[i].envelope.releasePerFrame, 1 / (0.05 * sampleRate))
            release(i)
        }
    }

    private func releaseVoices(key: Int) {
        for i in 0..<polyphony where voices[i].active && voices[i].held && voices[i].key == key { release(i) }
    }

    private func release(_ i: Int) {
        voices[i].held = false
        voices[i].envelope.release()
        voices[i].modulation.release()
    }

    private func slotForNewVoice() -> Int {
        var best = 0
        var bestRank = (Int.max, UInt64.max)
        for i in 0..<polyphony {
            let v = voices[i]
            if !v.active { return i }
            // Prefer released voices, then the oldest.
            let rank = (v.held ? 1 : 0, v.startOrder)
            if rank < bestRank { bestRank = rank; best = i }
        }
        // Move the victim to a spare slot where it fades out over 64 frames.
        var spare = polyphony
        for i in polyphony..<slotCount where !voices[i].active { spare = i; break }
        voices[spare] = voices[best]
        voices[spare].fading = true
        voices[spare].held = false
        voices[spare].fadeStep = voices[spare].amplitude / Self.fadeFrames
        return best
    }

    private func startVoice(region r: Int, key playedKey: Int, velocity: Int) {
        let region = regions[r]
        let g = generatorScratch, add = modulatorScratch
        for k in 0..<SFGenerator.count { g[k] = Double(region.generators[k]); add[k] = 0 }
        // keynum and velocity overrides shape the sound; the voice still belongs to the played key.
        let key = g[SFGenerator.keynum] >= 0 ? Int(min(127, g[SFGenerator.keynum])) : playedKey
        let velocity = g[SFGenerator.velocity] > 0 ? Int(min(127, g[SFGenerator.velocity])) : velocity
        SoundFontModulation.apply(region.modulators, key: key, velocity: velocity, controllers: controllers, into: add)
        let sample = font.samples[region.sampleIndex]
        guard sample.type & 0x8000 == 0, sample.sampleRate > 0 else { return }
        func value(_ k: Int) -> Double { g[k] + add[k] }

        // Addresses: sample header plus offsets, kept inside the pool.
        let pool = font.sampleData.count
        func clamp(_ x: Int, _ lo: Int, _ hi: Int) -> Int { min(max(x, lo), hi) }
        let start = clamp(sample.start + Int(g[0]) + 32_768 * Int(g[4]), 0, pool)
        let end = clamp(sample.end + Int(g[1]) + 32_768 * Int(g[12]), start, pool)
        guard end - start >= 2 else { return }
        let loopStart = clamp(sample.loopStart + Int(g[2]) + 32_768 * Int(g[45]), start, end)
        let loopEnd = clamp(sample.loopEnd + Int(g[3]) + 32_768 * Int(g[50]), loopStart, end)
        let mode = Int(g[SFGenerator.sampleModes]) & 3
        let canLoop = loopEnd - loopStart >= 2

        // Pitch.
        let rootKey = g[SFGenerator.overridingRootKey] >= 0 ? Int(g[SFGenerator.overridingRootKey])
            : (sample.originalPitch <= 127 ? sample.originalPitch : 60)
        let cents = Double(key - rootKey) * value(SFGenerator.scaleTuning) + 100 * value(SFGenerator.coarseTune)
            + value(SFGenerator.fineTune) + Double(sample.pitchCorrectionCents)
        // Bounded so a hostile tuning cannot make the loop wrap below spin.
        let step = min(64, max(1e-4, pow(2, cents / 1200) * Double(sample.sampleRate) / sampleRate))

        // Level and pan.
        let attenuation = min(1440, max(0, Self.attenuationFactor * g[SFGenerator.initialAttenuation] + add[SFGenerator.initialAttenuation]))
        let gain = pow(10, -attenuation / 200) * Double(Self.masterGain) / 32_768
        let pan = min(500, max(-500, value(SFGenerator.pan))) / 1000
        let angle = (pan + 0.5) * Double.pi / 2

        // Envelopes (timecents; keynum scaling of hold and decay around key 60).
        func seconds(_ timecents: Double) -> Double { pow(2, min(8000, max(-12_000, timecents)) / 1200) }
        let keyOffset = Double(60 - key)
        func envelope(_ kind: SoundFontEnvelope.Kind, delay: Int, keyToHold: Int, minimumRelease: Double) -> SoundFontEnvelope {
            // The six generators of an envelope are consecutive: delay, attack, hold, decay, sustain, release.
            SoundFontEnvelope(kind: kind, delaySeconds: seconds(value(delay)), attackSeconds: seconds(value(delay + 1)),
                              holdSeconds: seconds(value(delay + 2) + value(keyToHold) * keyOffset),
                              decaySeconds: seconds(value(delay + 3) + value(keyToHold + 1) * keyOffset),
                              sustain: value(delay + 4), releaseSeconds: max(minimumRelease, seconds(value(delay + 5))),
                              sampleRate: sampleRate)
        }
        let volume = envelope(.volume, delay: SFGenerator.delayVolEnv, keyToHold: SFGenerator.keynumToVolEnvHold, minimumRelease: 0.01)
        let modulation = envelope(.modulation, delay: SFGenerator.delayModEnv, keyToHold: SFGenerator.keynumToModEnvHold, minimumRelease: 0)

        // Exclusive class: a new note cuts others of its class (hi-hats).
        let exclusive = Int(g[SFGenerator.exclusiveClass])
        if exclusive != 0 {
            for i in 0..<polyphony where voices[i].active && voices[i].exclusiveClass == exclusive && voices[i].startOrder != counter {
                voices[i].envelope.releasePerFrame = 1 / (0.005 * sampleRate)
                release(i)
            }
        }

        var v = Voice()
        v.active = true
        v.held = true
        v.key = playedKey
        v.exclusiveClass = exclusive
        v.position = Double(start)
        v.step = step
        v.end = end
        v.loopStart = loopStart
        v.loopEnd = loopEnd
        v.loops = canLoop && (mode == 1 || mode == 3)
        v.loopUntilRelease = mode == 3
        v.envelope = volume
        v.modulation = modulation
        v.modulationToPitchCents = min(12_000, max(-12_000, value(SFGenerator.modEnvToPitch)))
        v.modulationToFilterCents = min(12_000, max(-12_000, value(SFGenerator.modEnvToFilterFc)))
        v.startOrder = counter

        // Resonant low-pass (spec 8.1.2 #8, #9), as FluidSynth reads it: Q in cB above a
        // non-resonant response (0 dB gives 1/sqrt 2), and the output lowered by half the
        // resonance peak in dB. The gain applies even while the cutoff is too high to filter.
        v.filterCents = min(13_500, max(1500, value(SFGenerator.initialFilterFc)))
        let qDecibels = min(96, max(0, value(SFGenerator.initialFilterQ) / 10)) - 3.01
        v.filterQ = pow(10, qDecibels / 20)
        let filterGain = 1 / v.filterQ.squareRoot()
        v.gainLeft = Float(gain * filterGain * cos(angle))
        v.gainRight = Float(gain * filterGain * sin(angle))
        updateFilter(&v, modulation: 0)
        voices[slotForNewVoice()] = v
    }

    /// Sets the voice's filter for the cutoff the modulation envelope gives now. A voice whose
    /// cutoff has never been below 0.45 x the sample rate skips filtering (it would pass
    /// everything); once on, the filter stays on so the tone never jumps.
    private func updateFilter(_ v: inout Voice, modulation: Double) {
        if v.filterOn && v.modulationToFilterCents == 0 { return }
        let limitHz = 0.45 * sampleRate
        let hz = min(limitHz, max(5, 8.176 * pow(2, (v.filterCents + modulation * v.modulationToFilterCents) / 1200)))
        if !v.filterOn {
            guard hz < limitHz else { return }
            v.filterOn = true
        } else if abs(hz - v.filterHz) < 0.01 {
            return
        }
        // RBJ biquad low-pass coefficients, normalised by a0.
        v.filterHz = hz
        let w0 = 2 * Double.pi * hz / sampleRate
        let alpha = sin(w0) / (2 * v.filterQ)
        let c = cos(w0), a0 = 1 + alpha
        v.b0 = Float((1 - c) / 2 / a0); v.b1 = Float((1 - c) / a0); v.b2 = v.b0
        v.a1 = Float(-2 * c / a0); v.a2 = Float((1 - alpha) / a0)
    }

    // MARK: rendering

    public func render(into buffer: UnsafeMutablePointer<Float>, frames: Int) {
        buffer.update(repeating: 0, count: 2 * frames)
        font.sampleData.withUnsafeBufferPointer { data in
            var offset = 0
            while offset < frames {
                let n = min(64, frames - offset)
                for i in 0..<slotCount where voices[i].active {
                    renderVoice(i, data: data, into: buffer + 2 * offset, frames: n)
                }
                offset += n
            }
        }
    }

    private func renderVoice(_ i: Int, data: UnsafeBufferPointer<Int16>, into out: UnsafeMutablePointer<Float>, frames n: Int) {
        var v = voices[i]
        let startAmplitude = v.amplitude
        var endAmplitude: Float
        // The modulation envelope as the block starts sets this block's pitch and cutoff.
        let modulation = v.modulation.value
        var step = v.step
        if modulation != 0 && v.modulationToPitchCents != 0 {
            step = min(64, max(1e-4, step * pow(2, modulation * v.modulationToPitchCents / 1200)))
        }
        updateFilter(&v, modulation: modulation)
        if v.fading {
            endAmplitude = max(0, startAmplitude - v.fadeStep * Float(n))
        } else {
            v.envelope.advance(frames: n)
            v.modulation.advance(frames: n)
            endAmplitude = Float(v.envelope.value)
        }
        let ramp = (endAmplitude - startAmplitude) / Float(n)
        let loops = v.loops && !(v.loopUntilRelease && !v.held && !v.fading && v.envelope.stage == .release)
        let loopLength = Double(v.loopEnd - v.loopStart)
        var position = v.position
        var z1 = v.z1, z2 = v.z2
        var finished = false
        for f in 0..<n {
            let index = Int(position)
            if index + 1 >= v.end && !loops { finished = true; break }
            let frac = Float(position - Double(index))
            let a = Float(data[index])
            let nextIndex = loops && index + 1 >= v.loopEnd ? v.loopStart : min(index + 1, v.end - 1)
            var x = a + frac * (Float(data[nextIndex]) - a)
            if v.filterOn {
                let y = v.b0 * x + z1
                z1 = v.b1 * x - v.a1 * y + z2
                z2 = v.b2 * x - v.a2 * y
                x = y
            }
            x *= startAmplitude + ramp * Float(f)
            out[2 * f] += x * v.gainLeft
            out[2 * f + 1] += x * v.gainRight
            position += step
            if loops { while position >= Double(v.loopEnd) { position -= loopLength } }
        }
        v.position = position
        v.z1 = z1; v.z2 = z2
        v.amplitude = endAmplitude
        if finished || v.envelope.stage == .done || (v.fading && endAmplitude <= 0) { v.active = false }
        voices[i] = v
    }
}
