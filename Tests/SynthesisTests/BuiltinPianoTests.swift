// The built-in piano through the offline renderer: pitch, silence before and after,
// chords, file length, limiting, voice stealing, click-free onsets.
import Foundation
import MIDI
import Testing
@testable import Synthesis

@Suite struct BuiltinPianoTests {
    let sampleRate = 44_100.0

    /// One note: `pitch` from `onsetSeconds` for `seconds`, at 120 BPM (960 ticks per second).
    func score(_ notes: [(pitch: Int, velocity: Int, onsetSeconds: Double, seconds: Double)]) -> PianoScore {
        PianoScore(ticksPerQuarter: 480, notes: notes.map {
            ScoreNote(pitch: $0.pitch, velocity: $0.velocity, onsetTicks: Int($0.onsetSeconds * 960), durationTicks: Int($0.seconds * 960))
        })
    }

    /// Short tails keep these debug-build tests fast.
    var shortTail: RenderOptions { var o = RenderOptions(); o.tailSeconds = 0.1; return o }

    func render(_ score: PianoScore, options: RenderOptions? = nil) throws -> [Float] {
        try AudioExport.renderSamples(score: score, options: options ?? shortTail)
    }

    @Test(arguments: [57, 69, 76])
    func singleNoteHasItsFundamentalAsSpectralPeak(pitch: Int) throws {
        let samples = try render(score([(pitch, 90, 0.0, 0.3)]))
        let x = SignalAnalysis.mono(samples, from: 1000, to: 1000 + 8192)
        let expected = 440 * pow(2, Double(pitch - 69) / 12)
        let found = SignalAnalysis.peakFrequency(x, sampleRate: sampleRate, lowHz: 60, highHz: 2500)
        #expect(abs(found - expected) / expected < 0.01, "peak \(found) Hz, expected \(expected) Hz")
    }

    @Test func silenceBeforeOnsetAndAfterRelease() throws {
        var options = RenderOptions()
        options.reverb = false
        options.tailSeconds = 0.8
        let samples = try render(score([(64, 100, 0.5, 0.25)]), options: options)
        let onset = Int(0.5 * sampleRate)
        #expect(samples[0..<(2 * onset)].allSatisfy { $0 == 0 })
        // It sounds right after the onset...
        #expect(SignalAnalysis.rms(samples, from: onset, to: onset + 4410) > 0.01)
        // ...and has died away half a second after the key is released (-80 dB).
        let released = Int(1.25 * sampleRate)
        #expect(SignalAnalysis.rms(samples, from: released, to: samples.count / 2) < 1e-4)
    }

    @Test func reverbTailFadesBeforeTheEndOfTheFile() throws {
        var options = RenderOptions()
        options.tailSeconds = 2
        let samples = try render(score([(48, 110, 0.0, 0.2)]), options: options)
        let frames = samples.count / 2
        #expect(SignalAnalysis.rms(samples, from: frames - 4410, to: frames) < 1e-4)
        #expect(samples[2 * frames - 1] == 0 && samples[2 * frames - 2] == 0)
    }

    @Test func onsetIsClickFree() throws {
        var options = shortTail
        options.reverb = false
        let samples = try render(score([(40, 127, 0.25, 0.2)]), options: options)
        let onset = Int(0.25 * sampleRate)
        let firstSamples = samples[(2 * onset)..<(2 * onset + 8)].map { abs($0) }
        let peak = SignalAnalysis.peak(samples)
        #expect(firstSamples.allSatisfy { $0 < 0.05 * peak })
    }

    @Test func chordContainsEveryFundamental() throws {
        let pitches = [60, 64, 67]
        let samples = try render(score(pitches.map { ($0, 90, 0.0, 0.4) }))
        let x = SignalAnalysis.mono(samples, from: 1000, to: 1000 + 16_384)
        for pitch in pitches {
            let hz = 440 * pow(2, Double(pitch - 69) / 12)
            let on = SignalAnalysis.magnitude(x, hz: hz, sampleRate: sampleRate)
            // A quarter tone away on both sides there is much less energy.
            let below = SignalAnalysis.magnitude(x, hz: hz * pow(2, -0.5 / 12), sampleRate: sampleRate)
            let above = SignalAnalysis.magnitude(x, hz: hz * pow(2, 0.5 / 12), sampleRate: sampleRate)
            #expect(on > 5 * max(below, above), "pitch \(pitch): \(on) vs \(below), \(above)")
        }
    }

    @Test func lengthIsScoreDurationPlusTail() throws {
        // 120 BPM for the first beat, then 60 BPM: the note ends at 0.5 + 1.0 = 1.5 s.
        let s = PianoScore(ticksPerQuarter: 480,
                           notes: [ScoreNote(pitch: 60, velocity: 80, onsetTicks: 0, durationTicks: 960)],
                           tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 120), TempoChange(ticks: 480, beatsPerMinute: 60)])
        for tail in [0.1, 0.5] {
            var options = RenderOptions()
            options.sampleRate = 8000
            options.tailSeconds = tail
            let samples = try render(s, options: options)
            #expect(samples.count / 2 == Int(((1.5 + tail) * 8000).rounded(.up)))
        }
        let renderer = ScoreRenderer(score: s, sampleRate: 22_050, tailSeconds: 1)
        #expect(renderer.totalFrames == Int((2.5 * 22_050).rounded(.up)))
        // A piece that ends in bars of rest (a decoded one lasts to its last bar) sounds them
        // before the tail: two bars of 4/4 are 0.5 + 7 x 1.0 = 7.5 s.
        var rests = s
        rests.lengthTicks = 2 * 4 * 480
        #expect(ScoreRenderer(score: rests, sampleRate: 8000, tailSeconds: 0.5).scoreSeconds == 7.5)
        #expect(ScoreRenderer(score: rests, sampleRate: 8000, tailSeconds: 0.5).totalFrames == 8 * 8000)
    }

    @Test func loudDenseMusicNeverClips() throws {
        // Three octaves of keys, fortissimo, struck three times, pushed 24 dB louder
        // (at 11 kHz, so this debug-build test stays fast).
        var notes: [(Int, Int, Double, Double)] = []
        for strike in 0..<3 {
            for pitch in stride(from: 36, through: 72, by: 1) { notes.append((pitch, 127, Double(strike) * 0.1, 0.15)) }
        }
        let rate = 11_025.0
        let source = BuiltinPiano(sampleRate: rate, polyphony: 128)
        let bus = MasterBus(sampleRate: rate, gainDecibels: 24)
        let samples = ScoreRenderer(score: score(notes), sampleRate: rate, tailSeconds: 0.1).renderInterleaved(source: source, bus: bus)
        #expect(samples.allSatisfy { $0.isFinite && abs($0) <= bus.ceiling })
        #expect(bus.limitedFrames > 0, "the limiter must have engaged on this material")
        // And a quiet passage is left alone.
        let quietBus = MasterBus(sampleRate: rate)
        _ = ScoreRenderer(score: score([(60, 40, 0, 0.2)]), sampleRate: rate, tailSeconds: 0.1).renderInterleaved(
            source: BuiltinPiano(sampleRate: rate), bus: quietBus)
        #expect(quietBus.limitedFrames == 0)
    }

    @Test func polyphonyLimitStealsVoices() throws {
        let piano = BuiltinPiano(sampleRate: sampleRate, polyphony: 6)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 128)
        defer { buffer.deallocate() }
        var peak: Float = 0
        for k in 0..<12 {
            piano.noteOn(pitch: 40 + k, velocity: 100)
            for _ in 0..<4 {
                piano.render(into: buffer, frames: 64)
                for j in 0..<128 { peak = max(peak, abs(buffer[j])); #expect(buffer[j].isFinite) }
            }
            #expect(piano.activeVoiceCount <= 6)
        }
        #expect(peak > 0.01)
        piano.allNotesOff()
        for _ in 0..<200 { piano.render(into: buffer, frames: 64) }
        #expect(piano.activeVoiceCount == 0)
    }

    @Test func noteOffReleasesAndRepeatedKeysRetrigger() throws {
        let piano = BuiltinPiano(sampleRate: sampleRate)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 128)
        defer { buffer.deallocate() }
        piano.noteOn(pitch: 60, velocity: 80)
        piano.render(into: buffer, frames: 64)
        piano.noteOn(pitch: 60, velocity: 80)
        piano.render(into: buffer, frames: 64)
        #expect(piano.activeVoiceCount == 2)
        piano.noteOff(pitch: 60)
        for _ in 0..<400 { piano.render(into: buffer, frames: 64) }
        #expect(piano.activeVoiceCount == 0)
    }

    @Test func renderIsDeterministic() throws {
        let s = score([(50, 100, 0, 0.1), (62, 70, 0.05, 0.1)])
        #expect(try render(s) == render(s))
    }
}
