// Offline rendering of a PianoScore: note events (and the file's volume and expression
// changes, if given) at exact frames, the instrument rendered in blocks of at most 64
// frames with events applied between blocks (SoundSource's timed render, as in the live
// loop), then the MasterBus; output streamed to a sink in chunks. Length = score end +
// `tailSeconds`. Does no file I/O (see AudioExport).
import Foundation
import MIDI

/// Settings for turning a score into audio.
public struct RenderOptions: Sendable, Equatable {
    public var sampleRate: Double
    /// Output gain in decibels before the limiter.
    public var gainDecibels: Double
    /// Audio kept after the last note ends (release and reverb), in seconds.
    public var tailSeconds: Double
    public var reverb: Bool
    public var bitDepth: WAVBitDepth
    public var polyphony: Int

    public init(sampleRate: Double = 44_100, gainDecibels: Double = 0, tailSeconds: Double = 2.0,
                reverb: Bool = true, bitDepth: WAVBitDepth = .int16, polyphony: Int = 64) {
        self.sampleRate = sampleRate
        self.gainDecibels = gainDecibels
        self.tailSeconds = tailSeconds
        self.reverb = reverb
        self.bitDepth = bitDepth
        self.polyphony = polyphony
    }

    /// Throws for values no renderer can use (checked by AudioExport and the CLI).
    public func validate() throws {
        guard sampleRate >= 8_000 && sampleRate <= 192_000 else {
            throw SynthesisError.invalidOption(name: "sample rate", value: "\(sampleRate)", reason: "use 8000 to 192000 Hz")
        }
        guard gainDecibels.isFinite && abs(gainDecibels) <= 60 else {
            throw SynthesisError.invalidOption(name: "gain", value: "\(gainDecibels)", reason: "use -60 to 60 dB")
        }
        guard tailSeconds >= 0 && tailSeconds <= 60 else {
            throw SynthesisError.invalidOption(name: "tail", value: "\(tailSeconds)", reason: "use 0 to 60 seconds")
        }
        guard polyphony >= 1 && polyphony <= 1024 else {
            throw SynthesisError.invalidOption(name: "polyphony", value: "\(polyphony)", reason: "use 1 to 1024 voices")
        }
    }
}

public struct ScoreRenderer {
    /// Largest block between events, in frames (the live loop uses the same size).
    public static let blockFrames = TimedSoundEvent.largestBlockFrames
    /// A short fade at the very end so a cut-off tail never clicks.
    static let endFadeSeconds = 0.01

    public let sampleRate: Double
    public let tailSeconds: Double
    /// Seconds from the start to the end of the piece (its last note, or its last bar).
    public let scoreSeconds: Double
    /// Frames the output will have: score end + tail.
    public let totalFrames: Int
    let events: [TimedSoundEvent]
    /// Notes that sound (the note-ons among `events`).
    public let noteCount: Int

    /// `levels`: the volume and expression changes of the file the score came from
    /// (`PianoScore.levelChanges(in:)`); a generated score has none.
    public init(score: PianoScore, levels: [LevelChange] = [], sampleRate: Double = 44_100, tailSeconds: Double = 2.0) {
        self.sampleRate = sampleRate
        self.tailSeconds = tailSeconds
        let map = score.tempoMap
        func frame(_ ticks: Int) -> Int { max(0, Int((map.seconds(atTicks: ticks) * sampleRate).rounded())) }
        // (frame, rank, event): at one frame note-offs come first (a repeated key is released
        // before it sounds again), then controllers, then note-ons, as the MIDI reader orders them.
        var timeline: [(frame: Int, rank: Int, pitch: Int, event: SoundEvent)] = []
        timeline.reserveCapacity(score.notes.count * 2 + levels.count)
        var lastSeconds = 0.0
        var notes = 0
        for note in score.notes where note.durationTicks > 0 && (0...127).contains(note.pitch) {
            let onFrame = frame(note.onsetTicks)
            let offFrame = max(onFrame + 1, frame(note.endTicks))
            timeline.append((onFrame, 2, note.pitch, .noteOn(pitch: note.pitch, velocity: max(1, min(127, note.velocity)))))
            timeline.append((offFrame, 0, note.pitch, .noteOff(pitch: note.pitch)))
            lastSeconds = max(lastSeconds, map.seconds(atTicks: note.endTicks))
            notes += 1
        }
        // A piece that ends in bars of rest sounds them before its tail.
        lastSeconds = max(lastSeconds, map.seconds(atTicks: score.lengthTicks))
        for (k, change) in levels.enumerated() {
            timeline.append((frame(change.ticks), 1, k, .control(controller: change.controller, value: max(0, min(127, change.value)))))
        }
        timeline.sort { ($0.frame, $0.rank, $0.pitch) < ($1.frame, $1.rank, $1.pitch) }
        events = timeline.map { TimedSoundEvent(frame: $0.frame, event: $0.event) }
        noteCount = notes
        scoreSeconds = lastSeconds
        totalFrames = Int(((lastSeconds + tailSeconds) * sampleRate).rounded(.up))
    }

    public init(score: PianoScore, levels: [LevelChange] = [], options: RenderOptions) {
        self.init(score: score, levels: levels, sampleRate: options.sampleRate, tailSeconds: options.tailSeconds)
    }

    /// Renders the whole score through `source` and `bus`, handing interleaved stereo
    /// chunks (at most `chunkFrames` frames each) to `sink`, in order. `progress` gets
    /// (frames done, total frames) after each chunk.
    public func render(source: SoundSource, bus: MasterBus, chunkFrames: Int = 8_192,
                       progress: ((Int, Int) -> Void)? = nil,
                       sink: (UnsafeBufferPointer<Float>) throws -> Void) rethrows {
        precondition(source.sampleRate == sampleRate && bus.sampleRate == sampleRate, "sample rates differ")
        let chunkCapacity = max(Self.blockFrames, chunkFrames)
        let chunk = UnsafeMutablePointer<Float>.allocate(capacity: 2 * chunkCapacity)
        defer { chunk.deallocate() }
        let latency = bus.latencyFrames
        let framesToRender = totalFrames + latency
        let fadeFrames = min(totalFrames, Int(Self.endFadeSeconds * sampleRate))
        var renderedFrames = 0   // frames produced by the source so far
        var emittedFrames = 0    // frames handed to the sink
        var nextEvent = 0
        while renderedFrames < framesToRender {
            let n = min(chunkCapacity, framesToRender - renderedFrames)
            nextEvent = source.render(into: chunk, frames: n, startingAt: renderedFrames, events: events, from: nextEvent)
            bus.process(chunk, frames: n)
            // Drop the limiter's look-ahead delay from the front.
            let skip = max(0, min(n, latency - renderedFrames))
            renderedFrames += n
            let count = n - skip
            if count > 0 {
                let out = chunk + 2 * skip
                // Fade the last few milliseconds.
                for k in 0..<count {
                    let framesLeft = totalFrames - (emittedFrames + k)
                    if framesLeft <= fadeFrames {
                        let g = Float(framesLeft - 1) / Float(max(1, fadeFrames))
                        out[2 * k] *= max(0, g); out[2 * k + 1] *= max(0, g)
                    }
                }
                try sink(UnsafeBufferPointer(start: out, count: 2 * count))
                emittedFrames += count
            }
            progress?(emittedFrames, totalFrames)
        }
    }

    /// The whole rendering as one interleaved stereo array (2 * totalFrames values).
    public func renderInterleaved(source: SoundSource, bus: MasterBus) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(2 * totalFrames)
        render(source: source, bus: bus) { out.append(contentsOf: $0) }
        return out
    }
}
