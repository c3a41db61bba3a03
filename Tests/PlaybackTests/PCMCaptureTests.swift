// The built-in synth over a real ALSA PCM: ALSA's `file` plugin captures exactly what
// the render loop writes (no sound card, no configuration). The capture must hold each
// note at its onset (energy envelope) and at its pitch (Goertzel), and silence before.
import Foundation
import Testing
@testable import Playback

@Suite struct PCMCaptureTests {
    static let sampleRate = 44_100.0
    /// A3, A4, A5 (220, 440, 880 Hz), a quarter second apart.
    static let notes = [
        PlaybackNote(pitch: 57, velocity: 100, onsetSeconds: 0.25, durationSeconds: 0.3),
        PlaybackNote(pitch: 69, velocity: 100, onsetSeconds: 0.75, durationSeconds: 0.3),
        PlaybackNote(pitch: 81, velocity: 100, onsetSeconds: 1.25, durationSeconds: 0.3),
    ]

    /// Plays the notes into `file:'PATH',raw` and returns the captured mono samples.
    static func capture(from startSeconds: Double, until endSeconds: Double,
                        removingBar: Int? = nil) throws -> [Float] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("cadenza-pcm-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).raw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let player = try PlaybackFactory.open(PlaybackOptions(backend: .builtinSynth(device: "file:'\(path)',raw")))
        for (bar, note) in notes.enumerated() { player.schedule(bar: bar, notes: [note]) }
        if let removingBar { player.removeBar(removingBar) }
        player.play(fromSeconds: startSeconds, untilSeconds: endSeconds)
        var polls = 0
        while player.state == .playing && polls < 3000 {   // the file device is not paced: normally ~0.1 s
            usleep(10_000)
            polls += 1
        }
        #expect(player.state == .stopped)
        #expect(player.diagnostics?.contains(" 0 underruns") == true)
        player.close()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { raw in
            let shorts = raw.bindMemory(to: Int16.self)
            return stride(from: 0, to: shorts.count - 1, by: 2).map { (Float(shorts[$0]) + Float(shorts[$0 + 1])) / 65536 }
        }
    }

    /// RMS in 5 ms windows.
    static func envelope(_ samples: [Float]) -> [Float] {
        let window = Int(sampleRate * 0.005)
        return stride(from: 0, to: samples.count - window, by: window).map { start in
            var sum: Float = 0
            for k in start..<(start + window) { sum += samples[k] * samples[k] }
            return (sum / Float(window)).squareRoot()
        }
    }

    /// Times (seconds) where the envelope jumps to 4x the level 20 ms earlier and is loud.
    static func onsets(_ envelope: [Float]) -> [Double] {
        let peak = envelope.max() ?? 0
        var found: [Double] = []
        var k = 4
        while k < envelope.count {
            if envelope[k] > 0.1 * peak && envelope[k] > 4 * envelope[k - 4] {
                found.append(Double(k) * 0.005)
                k += 20   // one onset per 100 ms
            } else {
                k += 1
            }
        }
        return found
    }

    /// Power of `frequency` in samples[start ..< start + count] (Goertzel).
    static func power(_ samples: [Float], at frequency: Double, start: Int, count: Int) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var s1 = 0.0, s2 = 0.0
        for k in start..<min(samples.count, start + count) {
            let s0 = Double(samples[k]) + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2
    }

    @Test func capturedAudioHasEachNoteAtItsTimeAndPitch() throws {
        let samples = try Self.capture(from: 0, until: 1.8)
        // The device took what the render loop wrote: 1.8 s, to within a period or two.
        #expect(abs(Double(samples.count) / Self.sampleRate - 1.8) < 0.05)
        // Silence before the first note.
        #expect(samples[0..<Int(0.24 * Self.sampleRate)].allSatisfy { abs($0) < 1e-4 })
        let found = Self.onsets(Self.envelope(samples))
        #expect(found.count == 3, "onsets: \(found)")
        for (note, onset) in zip(Self.notes, found) {
            #expect(abs(onset - note.onsetSeconds) <= 0.015, "note \(note.pitch) expected at \(note.onsetSeconds) s, found \(onset) s")
        }
        // Each note's strongest frequency among the three is its own.
        let frequencies = [220.0, 440.0, 880.0]
        for (index, note) in Self.notes.enumerated() {
            let start = Int((note.onsetSeconds + 0.02) * Self.sampleRate)
            let powers = frequencies.map { Self.power(samples, at: $0, start: start, count: Int(0.1 * Self.sampleRate)) }
            #expect(powers.firstIndex(of: powers.max()!) == index, "note \(note.pitch): powers \(powers)")
        }
    }

    @Test func playingFromTheMiddleWithABarRemovedLeavesOnlyTheRest() throws {
        // From 0.5 s, without bar 2 (A5): only A4 sounds, at 0.25 s into the capture.
        let samples = try Self.capture(from: 0.5, until: 1.6, removingBar: 2)
        let found = Self.onsets(Self.envelope(samples))
        #expect(found.count == 1, "onsets: \(found)")
        if let first = found.first { #expect(abs(first - 0.25) <= 0.015) }
        let late = Int(0.85 * Self.sampleRate)   // 1.35 s of music: A5 would be sounding
        let a5 = Self.power(samples, at: 880, start: late, count: Int(0.1 * Self.sampleRate))
        let a4Early = Self.power(samples, at: 440, start: Int(0.27 * Self.sampleRate), count: Int(0.1 * Self.sampleRate))
        #expect(a5 < a4Early / 1000)
    }
}
