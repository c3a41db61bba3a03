// Renders that must not run (issue 13): audio longer than PieceLimits allow or bigger than
// a WAV file can hold is refused before a sample is rendered or a file created; and a
// render that comes out silent (a degenerate SoundFont) says so through its result.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Synthesis

@Suite struct RenderLimitTests {
    func temporaryDirectory() throws -> URL { try TemporaryFolder("cadenza-limits").url }

    /// One note 1,000 bars in at the slowest tempo a file can state (16.8 s a quarter): 18.6 hours.
    static let verySlow = PianoScore(ticksPerQuarter: 480,
                                     notes: [ScoreNote(pitch: 60, velocity: 80, onsetTicks: 1000 * 1920, durationTicks: 480)],
                                     tempoChanges: [TempoChange(ticks: 0, microsecondsPerQuarter: 0xFF_FFFF)])

    @Test func audioLongerThanTheLimitIsRefusedBeforeAnyFileIsMade() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected = SynthesisError.audioTooLong(size: "last 18.6 hours (67128 s)", limit: "Cadenza renders at most 4 hours (14400 s)")
        #expect(throws: expected) { try AudioExport.writeWAV(score: Self.verySlow, to: dir.appendingPathComponent("slow.wav")) }
        #expect(throws: expected) { try AudioExport.renderSamples(score: Self.verySlow) }
        #expect(expected.description == "the audio would last 18.6 hours (67128 s); Cadenza renders at most 4 hours (14400 s)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func aWAVOverFourGigabytesIsRefusedBeforeRendering() throws {
        // Two hours at 192 kHz in 32-bit float: 11.0 GB, inside the time limit.
        let twoHours = PianoScore(ticksPerQuarter: 480, notes: [ScoreNote(pitch: 60, velocity: 80, onsetTicks: 7190 * 960, durationTicks: 480)])
        var options = RenderOptions(sampleRate: 192_000, bitDepth: .float32)
        options.tailSeconds = 0
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: SynthesisError.audioTooLong(size: "take 11.0 GB as a 32-bit float WAV at 192000 Hz",
                                                    limit: "a WAV file holds at most 4 GB; use a lower sample rate or bit depth")) {
            try AudioExport.writeWAV(score: twoHours, to: dir.appendingPathComponent("big.wav"), options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func aSilentRenderIsReportedWithItsCause() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let score = PianoScore(ticksPerQuarter: 480, notes: [ScoreNote(pitch: 60, velocity: 90, onsetTicks: 0, durationTicks: 480)])
        var options = RenderOptions()
        options.tailSeconds = 0.2
        let url = dir.appendingPathComponent("out.wav")

        var silentFont = TinySoundFont()
        silentFont.amplitude = 0
        let silent = try AudioExport.writeWAV(score: score, to: url, options: options,
                                              soundFont: try SoundFont(data: Data(silentFont.bytes())))
        #expect(silent.isSilent && silent.peak == 0)
        #expect(silent.silenceWarning(path: "out.wav") == "the rendered audio is silent (peak below -90 dBFS): out.wav; "
            + "the SoundFont's piano makes no sound (empty, silent or muted samples); try another .sf2 file")
        #expect(FileManager.default.fileExists(atPath: url.path))  // written all the same

        let sounding = try AudioExport.writeWAV(score: score, to: url, options: options,
                                                soundFont: try SoundFont(data: Data(TinySoundFont().bytes())))
        #expect(!sounding.isSilent && sounding.silenceWarning(path: "out.wav") == nil)
        #expect(sounding.peakDecibels > -40)

        let empty = try AudioExport.writeWAV(score: PianoScore(), to: url, options: options)
        #expect(empty.silenceWarning(path: "out.wav")?.hasSuffix("out.wav; the piece has no notes") == true)
    }
}
