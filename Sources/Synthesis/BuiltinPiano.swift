// The built-in piano: a pool of additive voices (PianoTimbre's damped partials, run
// as complex rotations eight at a time), a hammer knock, attack/release envelopes,
// stereo placement by pitch, voice stealing with a short fade. No reverb or limiter
// here (that is MasterBus). All memory is allocated in init; render never allocates.
import Foundation

public final class BuiltinPiano: SoundSource {
    public let sampleRate: Double
    public let polyphony: Int

    private enum Phase: UInt8 { case free, held, releasing, stolen }

    /// Per-voice scalars. Oscillator state lives in `oscillators`.
    private struct Voice {
        var phase: Phase = .free
        var pitch = -1
        var chunkCount = 0
        var envelope: Float = 0
        var attackStep: Float = 0
        var releaseFactor: Float = 1      // per frame while releasing
        var fadeStep: Float = 0           // per frame while being stolen
        var gainLeft: Float = 0
        var gainRight: Float = 0
        var logLevel = 0.0                // natural log of the voice's rough amplitude
        var logDecayPerFrame = 0.0
        var logReleasePerFrame = 0.0
        var knockAmplitude: Float = 0     // hammer noise
        var knockDecay: Float = 0
        var knockCoefficient: Float = 0
        var knockState: Float = 0
        var pendingPitch = -1
        var pendingVelocity = 0
        var pendingReleased = false
    }

    private static let blockFrames = 64
    private static let chunksPerVoice = PianoTimbre.maxOscillators / 8
    /// Loudness of one fff note before the master bus (leaves headroom for chords).
    private static let voiceGain = 0.55
    /// Voices below this amplitude are freed (about -94 dBFS, under 16-bit resolution).
    private static let silentLogLevel = log(2e-5)
    private static let attackSeconds = 0.0015
    private static let stealFadeFrames: Float = 64

    private let voices: UnsafeMutablePointer<Voice>
    /// Per voice, per chunk: re, im, rotation re, rotation im (SIMD8 each).
    private let oscillators: UnsafeMutablePointer<SIMD8<Float>>
    private let accumulator: UnsafeMutablePointer<SIMD8<Float>>
    private var noiseSeed: UInt32

    /// - Parameters:
    ///   - polyphony: most voices sounding at once; the quietest is stolen beyond that.
    ///   - seed: seeds the hammer-noise generator (output is deterministic for a seed).
    public init(sampleRate: Double, polyphony: Int = 64, seed: UInt32 = 0x9E37_79B9) {
        precondition(sampleRate >= 8000 && polyphony >= 1)
        self.sampleRate = sampleRate
        self.polyphony = polyphony
        voices = .allocate(capacity: polyphony)
        voices.initialize(repeating: Voice(), count: polyphony)
        let oscCount = polyphony * Self.chunksPerVoice * 4
        oscillators = .allocate(capacity: oscCount)
        oscillators.initialize(repeating: .zero, count: oscCount)
        accumulator = .allocate(capacity: Self.blockFrames)
        accumulator.initialize(repeating: .zero, count: Self.blockFrames)
        noiseSeed = seed == 0 ? 1 : seed
    }

    deinit {
        voices.deinitialize(count: polyphony); voices.deallocate()
        oscillators.deallocate()
        accumulator.deallocate()
    }

    /// Voices currently sounding (held, releasing or fading out).
    public var activeVoiceCount: Int {
        var n = 0
        for i in 0..<polyphony where voices[i].phase != .free { n += 1 }
        return n
    }

    // MARK: events

    public func noteOn(pitch: Int, velocity: Int) {
        guard (0...127).contains(pitch) else { return }
        if velocity <= 0 { noteOff(pitch: pitch); return }
        // Re-striking a key that still sounds: the old strike fades quickly.
        for i in 0..<polyphony where voices[i].phase == .held && voices[i].pitch == pitch {
            release(i, seconds: 0.03)
        }
        let index = chooseVoice()
        if voices[index].phase == .free {
            start(index, pitch: pitch, velocity: velocity)
        } else {
            voices[index].phase = .stolen
            voices[index].fadeStep = voices[index].envelope / Self.stealFadeFrames
            voices[index].pendingPitch = pitch
            voices[index].pendingVelocity = velocity
            voices[index].pendingReleased = false
        }
    }

    public func noteOff(pitch: Int) {
        for i in 0..<polyphony {
            if voices[i].phase == .held && voices[i].pitch == pitch {
                release(i, seconds: PianoTimbre.releaseSeconds(pitch: pitch))
            } else if voices[i].phase == .stolen && voices[i].pendingPitch == pitch {
                voices[i].pendingReleased = true
            }
        }
    }

    public func allNotesOff() {
        for i in 0..<polyphony {
            switch voices[i].phase {
            case .held: release(i, seconds: min(0.05, PianoTimbre.releaseSeconds(pitch: voices[i].pitch)))
            case .stolen: voices[i].pendingPitch = -1
            case .free, .releasing: break
            }
        }
    }

    /// A free voice, else the quietest releasing one, else the quietest held one.
    private func chooseVoice() -> Int {
        var best = -1
        var bestRank = (Int.max, Double.infinity)
        for i in 0..<polyphony {
            let v = voices[i]
            let rank: Int
            switch v.phase {
            case .free: return i
            case .releasing: rank = 0
            case .held: rank = 1
            case .stolen: rank = 2
            }
            if (rank, v.logLevel) < bestRank { bestRank = (rank, v.logLevel); best = i }
        }
        return best
    }

    private func release(_ i: Int, seconds: Double) {
        voices[i].phase = .releasing
        let perFrame = 1 / (seconds * sampleRate)
        voices[i].releaseFactor = Float(exp(-perFrame))
        voices[i].logReleasePerFrame = perFrame
    }

    private func start(_ i: Int, pitch: Int, velocity: Int) {
        let sr = sampleRate
        let base = oscillators + i * Self.chunksPerVoice * 4
        for c in 0..<(Self.chunksPerVoice * 4) { base[c] = .zero }
        var lane = 0
        var total = 0.0
        var slowest = 0.0
        let detune = PianoTimbre.unisonDetuneCents(pitch: pitch) / 2400
        // Partials 50 dB under the loudest are inaudible under it: not worth an oscillator.
        var loudest = 0.0
        PianoTimbre.partials(pitch: pitch, velocity: velocity, sampleRate: sr) { loudest = max(loudest, $0.amplitude) }
        let tinyAmplitude = loudest * 0.003
        var index = 0
        // Lanes: two strings for the lowest partials (fast "prompt" and slow "aftersound"
        // decays, slightly detuned so they beat), one for the rest.
        func put(_ frequencyHz: Double, _ amplitude: Double, _ decaySeconds: Double) {
            guard lane < PianoTimbre.maxOscillators, amplitude > tinyAmplitude else { return }
            let chunk = lane / 8, slot = lane % 8
            let omega = 2 * Double.pi * frequencyHz / sr
            let r = exp(-1 / (decaySeconds * sr))
            base[chunk * 4 + 0][slot] = Float(amplitude)
            base[chunk * 4 + 1][slot] = 0
            base[chunk * 4 + 2][slot] = Float(r * cos(omega))
            base[chunk * 4 + 3][slot] = Float(r * sin(omega))
            total += amplitude
            slowest = max(slowest, decaySeconds)
            lane += 1
        }
        PianoTimbre.partials(pitch: pitch, velocity: velocity, sampleRate: sr) { p in
            if index < PianoTimbre.doubledPartials {
                put(p.frequencyHz * pow(2, -detune), 0.6 * p.amplitude, p.decaySeconds / 4)
                put(p.frequencyHz * pow(2, detune), 0.4 * p.amplitude, p.decaySeconds)
            } else {
                put(p.frequencyHz, p.amplitude, p.decaySeconds * 0.6)
            }
            index += 1
        }
        let gain = total > 0 ? PianoTimbre.velocityGain(velocity) * Self.voiceGain / total : 0
        for c in 0..<Self.chunksPerVoice { base[c * 4] *= SIMD8(repeating: Float(gain)) }

        var v = Voice()
        v.phase = .held
        v.pitch = pitch
        v.chunkCount = (lane + 7) / 8
        v.envelope = 0
        v.attackStep = Float(1 / (Self.attackSeconds * sr))
        // Low notes to the left, high to the right, as heard from the bench.
        let pan = max(-1, min(1, Double(pitch - 64) / 44)) * 0.55
        let angle = (pan + 1) * Double.pi / 4
        v.gainLeft = Float(cos(angle) * 2.0.squareRoot())
        v.gainRight = Float(sin(angle) * 2.0.squareRoot())
        v.logLevel = log(max(1e-12, PianoTimbre.velocityGain(velocity) * Self.voiceGain))
        v.logDecayPerFrame = slowest > 0 ? 1 / (slowest * sr) : 1
        // Hammer knock: a few milliseconds of filtered noise, louder and brighter when hard.
        let vel = Double(velocity) / 127
        v.knockAmplitude = Float(0.02 * PianoTimbre.velocityGain(velocity) * (0.5 + vel))
        v.knockDecay = Float(exp(-1 / (0.004 * sr)))
        let knockHz = min(0.4 * sr, 2 * PianoTimbre.fundamentalHz(pitch: pitch) + 1500 * vel)
        v.knockCoefficient = Float(1 - exp(-2 * Double.pi * knockHz / sr))
        voices[i] = v
    }

    // MARK: rendering

    public func render(into buffer: UnsafeMutablePointer<Float>, frames: Int) {
        buffer.update(repeating: 0, count: 2 * frames)
        var offset = 0
        while offset < frames {
            let n = min(Self.blockFrames, frames - offset)
            for i in 0..<polyphony where voices[i].phase != .free {
                renderVoice(i, into: buffer + 2 * offset, frames: n)
            }
            offset += n
        }
    }

    private func renderVoice(_ i: Int, into out: UnsafeMutablePointer<Float>, frames n: Int) {
        let acc = accumulator
        for f in 0..<n { acc[f] = .zero }
        let base = oscillators + i * Self.chunksPerVoice * 4
        let chunks = voices[i].chunkCount
        for c in 0..<chunks {
            let p = base + c * 4
            var re = p[0], im = p[1]
            let wr = p[2], wi = p[3]
            for f in 0..<n {
                let nr = re * wr - im * wi
                im = re * wi + im * wr
                re = nr
                acc[f] += im
            }
            p[0] = re; p[1] = im
        }

        var v = voices[i]
        var envelope = v.envelope
        var knock = v.knockAmplitude
        var knockState = v.knockState
        var seed = noiseSeed
        let gl = v.gainLeft, gr = v.gainRight
        for f in 0..<n {
            var s = acc[f].sum()
            if knock > 1e-6 {
                seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5
                let white = Float(Int32(bitPattern: seed)) * (1 / 2_147_483_648)
                knockState += v.knockCoefficient * (white - knockState)
                s += knockState * knock
                knock *= v.knockDecay
            }
            switch v.phase {
            case .held:
                if envelope < 1 { envelope = min(1, envelope + v.attackStep) }
            case .releasing:
                envelope *= v.releaseFactor
            case .stolen:
                envelope = max(0, envelope - v.fadeStep)
            case .free:
                envelope = 0
            }
            s *= envelope
            out[2 * f] += s * gl
            out[2 * f + 1] += s * gr
        }
        noiseSeed = seed
        v.envelope = envelope
        v.knockAmplitude = knock
        v.knockState = knockState
        v.logLevel -= Double(n) * v.logDecayPerFrame
        if v.phase == .releasing { v.logLevel -= Double(n) * v.logReleasePerFrame }
        voices[i] = v

        if v.phase == .stolen && envelope <= 0 {
            let pitch = v.pendingPitch, velocity = v.pendingVelocity, released = v.pendingReleased
            voices[i].phase = .free
            if pitch >= 0 {
                start(i, pitch: pitch, velocity: velocity)
                if released { release(i, seconds: PianoTimbre.releaseSeconds(pitch: pitch)) }
            }
        } else if v.phase != .stolen && v.logLevel + log(Double(max(envelope, 1e-30))) < Self.silentLogLevel {
            voices[i].phase = .free
        }
    }
}
