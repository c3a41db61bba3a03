// The built-in synth over ALSA PCM: a render thread that, once per device period
// (about 10 ms), pumps the scheduler, applies the period's events at their exact frames
// (SoundSource's timed render: blocks of at most 64 frames between events), through an
// optional bus, and writes 16-bit stereo, recovering from underruns. The device paces
// it: a real card in real time, ALSA's `null`/`file` plugins as fast as the CPU goes.
// Every SoundSource call happens on the render thread.
import Foundation
import Synthesis

final class PCMOutput: PlaybackOutput, @unchecked Sendable {
    /// Called once per period on the render thread (ScheduledPlayer.pump), so events
    /// reach the queue before the period that needs them is rendered.
    var pump: (() -> Void)?

    private let device: PCMDevice
    private let source: SoundSource
    private let process: ((UnsafeMutablePointer<Float>, Int) -> Void)?
    private let resetProcess: (() -> Void)?
    private let condition = NSCondition()
    private let sampleRate: Double

    // Shared with the render thread, under `condition`.
    private var queue: [PlaybackEvent] = []
    private var running = false
    private var generation = 0
    private var startSeconds = 0.0
    private var audibleSeconds = 0.0
    private var silenceRequested = false
    private var closing = false
    private var threadDone = false
    private var failure: String?
    private var stats = Stats()

    struct Stats {
        var periods = 0
        var underruns = 0
        var renderSecondsTotal = 0.0
        var renderSecondsMax = 0.0
    }

    /// - Parameters:
    ///   - process: a stage after the instrument (the master bus), in place, on the render thread.
    ///   - resetProcess: clears that stage's state (reverb tail) when playback restarts.
    init(device: PCMDevice, source: SoundSource, process: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil,
         resetProcess: (() -> Void)? = nil) {
        precondition(Int(source.sampleRate) == device.sampleRate, "the source and the device disagree on the sample rate")
        self.device = device
        self.source = source
        self.process = process
        self.resetProcess = resetProcess
        self.sampleRate = source.sampleRate
        let thread = Thread { [self] in renderLoop() }
        thread.name = "cadenza pcm render"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    var periodSeconds: Double { Double(device.periodFrames) / sampleRate }
    var bufferSeconds: Double { Double(device.bufferFrames) / sampleRate }

    // MARK: PlaybackOutput (any thread)

    var clockSeconds: Double {
        condition.lock(); defer { condition.unlock() }
        return audibleSeconds
    }

    func startClock(atSeconds seconds: Double) {
        condition.lock()
        generation += 1
        startSeconds = seconds
        audibleSeconds = seconds
        queue.removeAll()
        running = true
        condition.signal()
        condition.unlock()
    }

    func stopClock() {
        condition.lock()
        running = false
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ events: [PlaybackEvent]) {
        condition.lock()
        if let last = queue.last, let first = events.first, PlaybackEvent.precedes(first, last) {
            queue = (queue + events).sorted(by: PlaybackEvent.precedes)
        } else {
            queue += events
        }
        condition.unlock()
    }

    func removeQueued(bar: Int) {
        condition.lock()
        queue.removeAll { $0.bar == bar }
        condition.unlock()
    }

    func removeAllQueued() {
        condition.lock()
        queue.removeAll()
        condition.unlock()
    }

    func silence() {
        condition.lock()
        silenceRequested = true
        condition.unlock()
    }

    func close() {
        condition.lock()
        closing = true
        running = false
        condition.signal()
        while !threadDone { condition.wait() }
        condition.unlock()
        device.close()
    }

    var diagnostics: String? {
        condition.lock(); defer { condition.unlock() }
        let periodMs = periodSeconds * 1000
        var text = String(format: "pcm '%@' %d Hz, period %d frames (%.1f ms), buffer %d frames; %d periods, %d underruns",
                          device.name, device.sampleRate, device.periodFrames, periodMs, device.bufferFrames,
                          stats.periods, stats.underruns)
        if stats.periods > 0 {
            let mean = stats.renderSecondsTotal / Double(stats.periods) / periodSeconds * 100
            let worst = stats.renderSecondsMax / periodSeconds * 100
            text += String(format: "; render time per period: mean %.1f%%, worst %.1f%% of the period", mean, worst)
        }
        if let failure { text += "; device failed: \(failure)" }
        return text
    }

    // MARK: render thread

    private func renderLoop() {
        let periodFrames = device.periodFrames
        let floats = UnsafeMutablePointer<Float>.allocate(capacity: 2 * periodFrames)
        let shorts = UnsafeMutablePointer<Int16>.allocate(capacity: 2 * periodFrames)
        defer { floats.deallocate(); shorts.deallocate() }
        var myGeneration = -1
        var baseSeconds = 0.0
        var renderedFrames = 0
        var deviceActive = false
        var due: [PlaybackEvent] = []
        due.reserveCapacity(256)
        var timed: [TimedSoundEvent] = []
        timed.reserveCapacity(256)

        while true {
            condition.lock()
            while !running && !closing {
                if deviceActive || silenceRequested {
                    condition.unlock()
                    if deviceActive { device.dropAndPrepare() }
                    source.allNotesOff()
                    deviceActive = false
                    condition.lock()
                    silenceRequested = false
                    continue
                }
                condition.wait()
            }
            if closing { break }
            let reset = generation != myGeneration
            if reset {
                myGeneration = generation
                baseSeconds = startSeconds
                renderedFrames = 0
            }
            let silenceNow = silenceRequested
            silenceRequested = false
            condition.unlock()

            if reset {
                if deviceActive { device.dropAndPrepare() }
                flushVoices(into: floats, frames: periodFrames)
            } else if silenceNow {
                source.allNotesOff()
            }
            pump?()

            condition.lock()
            guard running && generation == myGeneration else { condition.unlock(); continue }
            let periodStartSeconds = baseSeconds + Double(renderedFrames) / sampleRate
            let periodEndSeconds = periodStartSeconds + Double(periodFrames) / sampleRate
            var taken = 0
            while taken < queue.count && queue[taken].seconds < periodEndSeconds { taken += 1 }
            due.removeAll(keepingCapacity: true)
            due.append(contentsOf: queue[0..<taken])
            queue.removeFirst(taken)
            let failed = failure != nil
            condition.unlock()

            let renderStart = DispatchTime.now().uptimeNanoseconds
            // The period's events at their frames in it (a late one at frame 0; one that rounds
            // to the next period's first frame at this one's last, or it would be lost).
            timed.removeAll(keepingCapacity: true)
            for e in due {
                let frame = min(periodFrames - 1, Int(((e.seconds - periodStartSeconds) * sampleRate).rounded()))
                switch e.kind {
                case .noteOn(let pitch, let velocity): timed.append(TimedSoundEvent(frame: frame, event: .noteOn(pitch: pitch, velocity: velocity)))
                case .noteOff(let pitch): timed.append(TimedSoundEvent(frame: frame, event: .noteOff(pitch: pitch)))
                }
            }
            source.render(into: floats, frames: periodFrames, startingAt: 0, events: timed, from: 0)
            process?(floats, periodFrames)
            for k in 0..<(2 * periodFrames) {
                shorts[k] = Int16(max(-32767, min(32767, (floats[k] * 32767).rounded())))
            }
            let renderSeconds = Double(DispatchTime.now().uptimeNanoseconds - renderStart) / 1e9

            var underruns = 0
            var writeFailure: String?
            if failed {
                usleep(useconds_t(periodSeconds * 1_000_000))  // keep the clock moving
            } else {
                do { underruns = try device.write(shorts, frames: periodFrames) } catch { writeFailure = "\(error)" }
                deviceActive = true
            }
            renderedFrames += periodFrames
            let delay = failed ? 0 : device.delayFrames()

            condition.lock()
            if generation == myGeneration {
                audibleSeconds = max(baseSeconds, periodEndSeconds - Double(delay) / sampleRate)
            }
            stats.periods += 1
            stats.underruns += underruns
            stats.renderSecondsTotal += renderSeconds
            stats.renderSecondsMax = max(stats.renderSecondsMax, renderSeconds)
            if let writeFailure { failure = writeFailure }
            condition.unlock()
        }
        threadDone = true
        condition.broadcast()
        condition.unlock()
        if deviceActive { device.dropAndPrepare() }
    }

    /// Releases every voice and renders their short release away, so a restart begins clean.
    private func flushVoices(into scratch: UnsafeMutablePointer<Float>, frames: Int) {
        source.allNotesOff()
        let flushFrames = Int(0.1 * sampleRate)
        var done = 0
        while done < flushFrames {
            let n = min(frames, flushFrames - done)
            source.render(into: scratch, frames: n)
            done += n
        }
        resetProcess?()
    }
}
