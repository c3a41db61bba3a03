// The pull API every instrument in Synthesis offers: note events between blocks,
// then `render` fills the next block. The offline renderer (ScoreRenderer) and the
// live ALSA PCM loop (Playback) both go through `render(into:frames:startingAt:events:from:)`,
// the one place timed events are applied between blocks; neither owns the clock.
// Implementations do not allocate, lock or print inside `render`.

/// A polyphonic instrument rendered in small blocks; events arrive between blocks.
public protocol SoundSource: AnyObject {
    var sampleRate: Double { get }
    func noteOn(pitch: Int, velocity: Int)
    func noteOff(pitch: Int)
    func allNotesOff()          // release everything (with a short release, no click)
    /// A MIDI controller change (the SoundFont player uses volume, CC7, and expression,
    /// CC11, for the notes that follow). Instruments without controllers ignore it.
    func controlChange(controller: Int, value: Int)
    /// Renders `frames` stereo frames, interleaved L R, overwriting `buffer` (count >= 2*frames).
    func render(into buffer: UnsafeMutablePointer<Float>, frames: Int)
}

extension SoundSource {
    public func controlChange(controller: Int, value: Int) {}
}

/// An event for a SoundSource.
public enum SoundEvent: Hashable, Sendable {
    case noteOn(pitch: Int, velocity: Int)
    case noteOff(pitch: Int)
    case control(controller: Int, value: Int)
}

/// A SoundEvent at a frame of a timeline.
public struct TimedSoundEvent: Hashable, Sendable {
    public var frame: Int
    public var event: SoundEvent

    /// Largest block a source renders between events, in frames (FluidSynth's block size too).
    public static let largestBlockFrames = 64

    public init(frame: Int, event: SoundEvent) {
        self.frame = frame
        self.event = event
    }
}

extension SoundSource {
    /// Renders the `frames` frames from `startFrame` of a timeline into `buffer`, applying
    /// `events[next...]` (in frame order) each at its frame, between blocks of at most 64
    /// frames; an event whose frame has passed is applied at once. Returns the index of the
    /// first event left for a later call.
    @discardableResult
    public func render(into buffer: UnsafeMutablePointer<Float>, frames: Int, startingAt startFrame: Int,
                       events: [TimedSoundEvent], from next: Int) -> Int {
        var next = next
        var position = 0
        while position < frames {
            let now = startFrame + position
            while next < events.count && events[next].frame <= now {
                switch events[next].event {
                case .noteOn(let pitch, let velocity): noteOn(pitch: pitch, velocity: velocity)
                case .noteOff(let pitch): noteOff(pitch: pitch)
                case .control(let controller, let value): controlChange(controller: controller, value: value)
                }
                next += 1
            }
            var block = min(TimedSoundEvent.largestBlockFrames, frames - position)
            if next < events.count { block = min(block, events[next].frame - now) }
            render(into: buffer + 2 * position, frames: block)
            position += block
        }
        return next
    }
}
