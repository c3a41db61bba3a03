// The SF2 volume envelope (delay, attack, hold, decay, sustain, release), advanced a
// block at a time: attack rises linearly in amplitude, decay and release fall
// linearly in decibels (spec 8.1.3: 100% to 0% means 0 to -96 dB here).
import Foundation

struct VolumeEnvelope {
    enum Stage: UInt8 { case delay, attack, hold, decay, sustain, release, done }

    static let silentDecibels: Double = 96

    var stage: Stage = .delay
    var framesLeft: Double = 0          // in the current timed stage
    var attackFrames: Double = 1
    var holdFrames: Double = 0
    var decayDecibelsPerFrame: Double = 0
    var sustainDecibels: Double = 0
    var releaseDecibelsPerFrame: Double = 1
    /// Amplitude during attack (0...1); attenuation in dB in later stages.
    var attackLevel: Double = 0
    var decibels: Double = 0

    init() {}

    init(delaySeconds: Double, attackSeconds: Double, holdSeconds: Double, decaySeconds: Double,
         sustainDecibels: Double, releaseSeconds: Double, sampleRate: Double) {
        stage = .delay
        framesLeft = delaySeconds * sampleRate
        attackFrames = max(1, attackSeconds * sampleRate)
        holdFrames = holdSeconds * sampleRate
        decayDecibelsPerFrame = Self.silentDecibels / max(1, decaySeconds * sampleRate)
        self.sustainDecibels = min(Self.silentDecibels, max(0, sustainDecibels))
        releaseDecibelsPerFrame = Self.silentDecibels / max(1, releaseSeconds * sampleRate)
    }

    var amplitude: Double {
        switch stage {
        case .delay, .done: return 0
        case .attack: return attackLevel
        default: return pow(10, -decibels / 20)
        }
    }

    mutating func release() {
        switch stage {
        case .delay: stage = .done
        case .attack: decibels = -20 * log10(max(attackLevel, 1e-5)); stage = .release
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
                if framesLeft <= 0 { stage = .attack; attackLevel = 0 }
            case .attack:
                let t = min(n, (1 - attackLevel) * attackFrames)
                attackLevel += t / attackFrames; n -= t
                if attackLevel >= 1 - 1e-9 { attackLevel = 1; decibels = 0; stage = .hold; framesLeft = holdFrames }
            case .hold:
                let t = min(n, framesLeft); framesLeft -= t; n -= t
                if framesLeft <= 0 { stage = .decay }
            case .decay:
                let t = min(n, max(0, (sustainDecibels - decibels) / decayDecibelsPerFrame))
                decibels += t * decayDecibelsPerFrame; n -= t
                if decibels >= sustainDecibels - 1e-9 { decibels = sustainDecibels; stage = .sustain }
                if sustainDecibels >= Self.silentDecibels { stage = .done }
            case .sustain:
                n = 0
            case .release:
                decibels += n * releaseDecibelsPerFrame; n = 0
                if decibels >= Self.silentDecibels { stage = .done }
            case .done:
                n = 0
            }
        }
    }
}
