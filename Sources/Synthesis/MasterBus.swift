// The stage after the instrument, shared by the offline renderer and the live PCM
// loop: gain, a light reverb, and a look-ahead limiter so the output never clips.
// Processes interleaved stereo in place; allocates only in init.
import Foundation

public final class MasterBus {
    public let sampleRate: Double
    /// Linear gain applied before the reverb and limiter.
    public var gain: Float
    public var reverbEnabled: Bool
    private var reverb: Reverb
    private var limiter: Limiter

    /// - Parameters:
    ///   - gainDecibels: output gain before limiting (positive values push into the limiter).
    ///   - reverb: a light room reverb (on by default).
    ///   - ceiling: the largest absolute sample value the bus ever outputs.
    public init(sampleRate: Double, gainDecibels: Double = 0, reverb: Bool = true, ceiling: Float = 0.944) {
        self.sampleRate = sampleRate
        gain = Float(pow(10, gainDecibels / 20))
        reverbEnabled = reverb
        self.reverb = Reverb(sampleRate: sampleRate)
        limiter = Limiter(sampleRate: sampleRate, ceiling: ceiling)
    }

    deinit {
        reverb.free()
        limiter.free()
    }

    /// The limiter's look-ahead delay: output frame k carries input frame k - latencyFrames.
    public var latencyFrames: Int { limiter.latencyFrames }
    public var ceiling: Float { limiter.ceiling }
    /// Frames so far in which the limiter reduced the gain.
    public var limitedFrames: Int { limiter.engagedFrames }

    /// Processes interleaved stereo `samples` (2 * frames values) in place.
    public func process(_ samples: UnsafeMutablePointer<Float>, frames: Int) {
        if gain != 1 {
            for k in 0..<(2 * frames) { samples[k] *= gain }
        }
        if reverbEnabled { reverb.process(samples, frames: frames) }
        limiter.process(samples, frames: frames)
    }

    /// Clears the reverb tail and limiter state (e.g. when playback stops).
    public func reset() {
        reverb.reset()
        limiter.reset()
    }
}
