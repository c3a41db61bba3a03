// The two SF2 envelopes (spec 8.1.2, generators 25-40): delay, attack, hold, decay,
// sustain, release, each a straight line in a level of 0...1, advanced a block at a time.
// How the level is heard follows FluidSynth: the volume envelope reads it as 96 dB of range
// (decay and release linear in dB, the attack linear in amplitude), the modulation envelope
// as a fraction of its depth (the attack convex). Decay and release times are for the full
// range; sustain generators count 1000 (cB or 0.1%) as the bottom of it.
import Foundation

struct SoundFontEnvelope {
    enum Stage: UInt8 { case delay, attack, hold, decay, sustain, release, done }
    enum Kind: UInt8 { case volume, modulation }

    /// The volume envelope's range: level 0 is this far below full scale.
    static let rangeDecibels: Double = 96

    var kind: Kind = .volume
    var stage: Stage = .delay
    var level: Double = 0
    var framesLeft: Double = 0          // in the delay or hold stage
    var attackPerFrame: Double = 1
    var holdFrames: Double = 0
    var decayPerFrame: Double = 1
    var sustainLevel: Double = 1
    var releasePerFrame: Double = 1

    init() {}

    /// `sustain` is the sustain generator's value (cB for volume, 0.1% for modulation).
    init(kind: Kind, delaySeconds: Double, attackSeconds: Double, holdSeconds: Double, decaySeconds: Double,
         sustain: Double, releaseSeconds: Double, sampleRate: Double) {
        self.kind = kind
        framesLeft = delaySeconds * sampleRate
        attackPerFrame = 1 / max(1, attackSeconds * sampleRate)
        holdFrames = holdSeconds * sampleRate
        decayPerFrame = 1 / max(1, decaySeconds * sampleRate)
        sustainLevel = min(1, max(0, 1 - sustain / 1000))
        releasePerFrame = 1 / max(1, releaseSeconds * sampleRate)
    }

    /// What the envelope does now: a linear gain (volume) or a fraction of the depth (modulation).
    var value: Double {
        switch (kind, stage) {
        case (_, .delay), (_, .done): return 0
        case (.volume, .attack): return level
        case (.volume, _): return pow(10, -Self.rangeDecibels * (1 - level) / 20)
        case (.modulation, .attack): return SoundFontModulation.convex(level)
        case (.modulation, _): return level
        }
    }

    /// Note-off: the release starts from the value now sounding (the attack's shape differs
    /// from the release's, so its level is converted first).
    mutating func release() {
        switch stage {
        case .delay:
            level = 0
            stage = kind == .volume ? .done : .release
        case .attack:
            switch kind {
            case .volume: level = max(0, 1 + 20 * log10(max(level, 1e-9)) / Self.rangeDecibels)
            case .modulation: level = SoundFontModulation.convex(level)
            }
            stage = .release
        case .hold, .decay, .sustain: stage = .release
        case .release, .done: break
        }
    }

    /// Moves the envelope `frames` frames on.
    mutating func advance(frames: Int) {
        var n = Double(frames)
        while n > 0 {
            switch stage {
            case .delay:
                let t = min(n, framesLeft); framesLeft -= t; n -= t
                if framesLeft <= 0 { stage = .attack; level = 0 }
            case .attack:
                let t = min(n, (1 - level) / attackPerFrame)
                level += t * attackPerFrame; n -= t
                if level >= 1 - 1e-12 { level = 1; stage = .hold; framesLeft = holdFrames }
            case .hold:
                let t = min(n, framesLeft); framesLeft -= t; n -= t
                if framesLeft <= 0 { stage = .decay }
            case .decay:
                // Toward the sustain level at the full-range rate; a silent sustain is reached,
                // not jumped to, so a piano note rings for its whole decay time.
                let t = min(n, max(0, (level - sustainLevel) / decayPerFrame))
                level -= t * decayPerFrame; n -= t
                if level <= sustainLevel + 1e-12 {
                    level = sustainLevel
                    stage = kind == .volume && sustainLevel <= 0 ? .done : .sustain
                }
            case .sustain, .done:
                n = 0
            case .release:
                level -= n * releasePerFrame; n = 0
                if level <= 0 { level = 0; stage = .done }
            }
        }
    }
}
