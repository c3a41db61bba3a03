// A look-ahead peak limiter that guarantees no sample exceeds `ceiling`: the gain is
// the minimum of ceiling/peak over a look-ahead window, held, released slowly, then
// smoothed by a box filter as long as the window (so the gain is already down when the
// peak arrives). Output is delayed by `latencyFrames`. Stereo-linked. No allocation
// after init.
import Foundation

struct Limiter {
    let ceiling: Float
    let latencyFrames: Int
    private let window: Int
    private let delayLine: UnsafeMutablePointer<Float>      // interleaved stereo, `window` frames
    private let wanted: UnsafeMutablePointer<Float>         // required gain per frame, ring
    private let smoothing: UnsafeMutablePointer<Float>      // held gain per frame, ring (box filter)
    private var position = 0
    private var holdPosition = 0
    private var framesSinceLimited = Int.max / 2
    private var boxSum = 0.0
    private var released: Float = 1
    private let releaseCoefficient: Float
    /// How often the gain went below 1 (for reports).
    private(set) var engagedFrames = 0

    init(sampleRate: Double, ceiling: Float = 0.944, lookAheadSeconds: Double = 0.0015, releaseSeconds: Double = 0.15) {
        self.ceiling = ceiling
        window = max(2, Int(lookAheadSeconds * sampleRate))
        // Hold over window+1 frames, box-average over window, delay by window: then every
        // gain averaged into a frame's gain was computed with that frame in view.
        latencyFrames = window
        delayLine = .allocate(capacity: 2 * window); delayLine.initialize(repeating: 0, count: 2 * window)
        wanted = .allocate(capacity: window + 1); wanted.initialize(repeating: 1, count: window + 1)
        smoothing = .allocate(capacity: window); smoothing.initialize(repeating: 1, count: window)
        boxSum = Double(window)
        releaseCoefficient = Float(exp(-1 / (releaseSeconds * sampleRate)))
    }

    func free() {
        delayLine.deallocate(); wanted.deallocate(); smoothing.deallocate()
    }

    mutating func reset() {
        delayLine.update(repeating: 0, count: 2 * window)
        wanted.update(repeating: 1, count: window + 1)
        smoothing.update(repeating: 1, count: window)
        boxSum = Double(window); released = 1; position = 0; holdPosition = 0
        framesSinceLimited = Int.max / 2; engagedFrames = 0
    }

    mutating func process(_ samples: UnsafeMutablePointer<Float>, frames: Int) {
        let w = window
        for f in 0..<frames {
            let l = samples[2 * f], r = samples[2 * f + 1]
            let peak = max(abs(l), abs(r))
            let need: Float = peak > ceiling ? ceiling / peak : 1
            wanted[holdPosition] = need
            holdPosition += 1
            if holdPosition > w { holdPosition = 0 }
            if need < 1 { framesSinceLimited = 0 } else { framesSinceLimited += 1 }
            // Minimum over the last window+1 frames; skipped when none of them needed limiting.
            var held: Float = 1
            if framesSinceLimited <= w {
                for k in 0...w { held = min(held, wanted[k]) }
            }
            // Instant attack, slow release.
            released = held < released ? held : held + releaseCoefficient * (released - held)
            if released > 0.99999 { released = 1 }
            boxSum += Double(released) - Double(smoothing[position])
            smoothing[position] = released
            let gain = min(1, Float(boxSum / Double(w)))
            // The oldest frame in the delay line (window frames ago) takes this gain.
            let outL = delayLine[2 * position], outR = delayLine[2 * position + 1]
            delayLine[2 * position] = l
            delayLine[2 * position + 1] = r
            position += 1
            if position == w { position = 0 }
            if gain < 1 { engagedFrames += 1 }
            // The box filter guarantees gain <= ceiling/peak; the clamp only guards rounding.
            samples[2 * f] = max(-ceiling, min(ceiling, outL * gain))
            samples[2 * f + 1] = max(-ceiling, min(ceiling, outR * gain))
        }
    }
}
