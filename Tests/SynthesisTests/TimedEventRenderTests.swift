// SoundSource's timed render, the one loop the score renderer and the live PCM output share:
// every event applied at its frame, blocks of at most 64 frames, events left for later calls.
import Testing
@testable import Synthesis

/// Records what a renderer asks of it: each event with the frame it came at, and each block.
private final class RecordingSource: SoundSource {
    let sampleRate = 44_100.0
    var frame = 0
    var log: [String] = []
    var blocks: [Int] = []
    func noteOn(pitch: Int, velocity: Int) { log.append("on \(pitch) at \(frame)") }
    func noteOff(pitch: Int) { log.append("off \(pitch) at \(frame)") }
    func allNotesOff() {}
    func controlChange(controller: Int, value: Int) { log.append("cc\(controller)=\(value) at \(frame)") }
    func render(into buffer: UnsafeMutablePointer<Float>, frames: Int) { blocks.append(frames); frame += frames }
}

@Suite struct TimedEventRenderTests {
    @Test func eventsLandOnTheirFramesBetweenBlocks() {
        let source = RecordingSource()
        let events = [TimedSoundEvent(frame: 0, event: .control(controller: 7, value: 127)),
                      TimedSoundEvent(frame: 10, event: .noteOn(pitch: 60, velocity: 90)),
                      TimedSoundEvent(frame: 10, event: .noteOn(pitch: 64, velocity: 90)),
                      TimedSoundEvent(frame: 100, event: .noteOff(pitch: 60)),
                      TimedSoundEvent(frame: 300, event: .noteOff(pitch: 64))]
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 2 * 256)
        defer { buffer.deallocate() }
        var next = source.render(into: buffer, frames: 128, startingAt: 0, events: events, from: 0)
        #expect(next == 4)
        #expect(source.blocks == [10, 64, 26, 28])
        // The next call continues the timeline where the last stopped.
        next = source.render(into: buffer, frames: 256, startingAt: 128, events: events, from: next)
        #expect(next == 5)
        #expect(source.log == ["cc7=127 at 0", "on 60 at 10", "on 64 at 10", "off 60 at 100", "off 64 at 300"])
        #expect(source.blocks.reduce(0, +) == 384 && source.blocks.allSatisfy { $0 >= 1 && $0 <= 64 })
    }

    @Test func anEventWhoseFrameHasPassedIsAppliedAtOnce() {
        let source = RecordingSource()
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 2 * 64)
        defer { buffer.deallocate() }
        let next = source.render(into: buffer, frames: 64, startingAt: 1000, events: [TimedSoundEvent(frame: 990, event: .noteOff(pitch: 1))], from: 0)
        #expect(next == 1 && source.log == ["off 1 at 0"] && source.blocks == [64])
    }
}
