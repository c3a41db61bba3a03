// A light room reverb: an 8-line feedback delay network (Hadamard mixing, one-pole
// damping in each loop, decay set from a target RT60), fed the mono sum and tapped
// in stereo. Delay memory is allocated in init; `process` adds the wet signal in place.
import Foundation

struct Reverb {
    private static let lineCount = 8
    /// Delay lengths in milliseconds: mutually prime-ish, 30 to 80 ms (a small hall).
    private static let lineMilliseconds: [Double] = [29.7, 37.1, 41.1, 43.7, 53.3, 59.9, 67.1, 79.3]

    private let buffer: UnsafeMutablePointer<Float>
    private let lengths: [Int]
    private let offsets: [Int]
    private var positions: [Int]
    private var feedbackGains: [Float]
    private var damping: [Float]
    private let totalLength: Int
    private let dampingCoefficient: Float
    var wetGain: Float
    let preDelayFrames: Int
    private let preDelay: UnsafeMutablePointer<Float>
    private var preDelayPosition = 0

    /// - Parameters:
    ///   - decaySeconds: RT60 (time to fall by 60 dB).
    ///   - wetGain: level of the reverb relative to the dry signal.
    init(sampleRate: Double, decaySeconds: Double = 1.6, wetGain: Float = 0.16) {
        var lengths: [Int] = [], offsets: [Int] = [], gains: [Float] = []
        var total = 0
        for ms in Self.lineMilliseconds {
            let n = max(1, Int(ms * sampleRate / 1000))
            offsets.append(total); lengths.append(n); total += n
            gains.append(Float(pow(10, -3 * Double(n) / (sampleRate * decaySeconds))))
        }
        self.lengths = lengths
        self.offsets = offsets
        self.positions = [Int](repeating: 0, count: Self.lineCount)
        self.feedbackGains = gains
        self.damping = [Float](repeating: 0, count: Self.lineCount)
        self.totalLength = total
        buffer = .allocate(capacity: total)
        buffer.initialize(repeating: 0, count: total)
        // High frequencies die faster in a room: ~5 kHz corner in the loop.
        dampingCoefficient = Float(exp(-2 * Double.pi * 5000 / sampleRate))
        self.wetGain = wetGain
        preDelayFrames = max(1, Int(0.012 * sampleRate))
        preDelay = .allocate(capacity: preDelayFrames)
        preDelay.initialize(repeating: 0, count: preDelayFrames)
    }

    func free() {
        buffer.deallocate()
        preDelay.deallocate()
    }

    mutating func reset() {
        buffer.update(repeating: 0, count: totalLength)
        preDelay.update(repeating: 0, count: preDelayFrames)
        for i in 0..<Self.lineCount { damping[i] = 0 }
    }

    /// Adds reverb to interleaved stereo `samples` in place.
    mutating func process(_ samples: UnsafeMutablePointer<Float>, frames: Int) {
        let scale = Float(1 / 8.0.squareRoot())
        let d = dampingCoefficient
        lengths.withUnsafeBufferPointer { len in
        offsets.withUnsafeBufferPointer { off in
        feedbackGains.withUnsafeBufferPointer { g in
        positions.withUnsafeMutableBufferPointer { pos in
        damping.withUnsafeMutableBufferPointer { lp in
            var y = SIMD8<Float>()
            for f in 0..<frames {
                let dry = 0.5 * (samples[2 * f] + samples[2 * f + 1])
                let input = preDelay[preDelayPosition]
                preDelay[preDelayPosition] = dry
                preDelayPosition += 1
                if preDelayPosition == preDelayFrames { preDelayPosition = 0 }
                // Read the line outputs, damp them.
                for k in 0..<8 {
                    let out = buffer[off[k] + pos[k]]
                    lp[k] = out + d * (lp[k] - out)
                    y[k] = lp[k] * g[k]
                }
                // Hadamard 8x8 (fast transform), energy preserving with `scale`.
                var a = y
                let lo = a.lowHalf, hi = a.highHalf
                a = SIMD8(lowHalf: lo + hi, highHalf: lo - hi)
                let q0 = a.lowHalf.lowHalf, q1 = a.lowHalf.highHalf, q2 = a.highHalf.lowHalf, q3 = a.highHalf.highHalf
                a = SIMD8(lowHalf: SIMD4(lowHalf: q0 + q1, highHalf: q0 - q1), highHalf: SIMD4(lowHalf: q2 + q3, highHalf: q2 - q3))
                var m = SIMD8<Float>()
                for k in stride(from: 0, to: 8, by: 2) { m[k] = a[k] + a[k + 1]; m[k + 1] = a[k] - a[k + 1] }
                m *= scale
                for k in 0..<8 {
                    buffer[off[k] + pos[k]] = m[k] + input
                    pos[k] += 1
                    if pos[k] == len[k] { pos[k] = 0 }
                }
                let left = lp[0] - lp[2] + lp[4] - lp[6]
                let right = lp[1] - lp[3] + lp[5] - lp[7]
                samples[2 * f] += wetGain * 0.5 * left
                samples[2 * f + 1] += wetGain * 0.5 * right
            }
        }}}}}
    }
}
