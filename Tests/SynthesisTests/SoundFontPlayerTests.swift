// The SoundFont player against FluidSynth (issue 13): the volume envelope decaying to a
// silent sustain over its decay time, the modulation envelope sweeping the resonant filter
// and the pitch, a zone's keynum override still released by its key, and levels. Reference
// levels were measured with FluidSynth 2.3.1 (Debian), rendering the same fonts and notes:
//   fluidsynth -ni -R 0 -C 0 -F out.wav -r 44100 FONT.sf2 note.mid ; sox out.wav -n trim T 0.25 stats
// (RMS of both channels over 0.25 s from T). The tiny fonts measured are committed in
// Tests/Fixtures/soundfonts (a test checks they are still TinySoundFont's bytes); note.mid
// holds one note from 0 s at 120 BPM (key, velocity and length given with each table).
import Foundation
import MIDI
import Testing
@testable import Synthesis

@Suite struct SoundFontPlayerTests {
    static let sampleRate = 44_100.0

    /// TinySoundFont with the envelope, filter and modulation envelope of TimGM6mb's
    /// "Piano 1" zone for keys 60 to 62: hold 0 tc (1 s), decay 4955 tc (17.5 s) to a
    /// silent sustain (1000 cB), release 68 tc; cutoff 6900 cents (445 Hz) opened by
    /// 3009 cents of modulation envelope (hold -4786 tc, decay 5160 tc, sustain 100%).
    static func pianoLikeFont() -> TinySoundFont {
        var font = TinySoundFont()
        font.releaseTimecents = 68
        font.globalGenerators = [(35, 0), (36, 4955), (37, 1000), (8, 6900), (11, 3009), (27, -4786), (28, 5160), (29, 1000)]
        return font
    }

    /// A modulation envelope that raises the pitch an octave, holds it 1 s and falls back
    /// over 1 s (modEnvToPitch 1200 cents, hold 0 tc, decay 0 tc, sustain 100% down).
    static func pitchSweepFont() -> TinySoundFont {
        var font = TinySoundFont()
        font.globalGenerators = [(7, 1200), (27, 0), (28, 0), (29, 1000)]
        return font
    }

    /// A resonant filter (445 Hz, Q 6 dB) that the modulation envelope opens to 2.5 kHz and
    /// closes again over 4 s (decay 2400 tc), so an 880 Hz tone fades as the cutoff passes it.
    static func filterSweepFont() -> TinySoundFont {
        var font = TinySoundFont()
        font.globalGenerators = [(8, 6900), (9, 60), (11, 3009), (27, -4786), (28, 2400), (29, 1000)]
        return font
    }

    /// One note from frame 0, rendered through the score renderer without reverb (as the
    /// references were rendered with reverb and chorus off).
    static func render(_ font: TinySoundFont, pitch: Int, velocity: Int, seconds: Double) throws -> [Float] {
        let soundFont = try SoundFont(data: Data(font.bytes()))
        return try render(soundFont, pitch: pitch, velocity: velocity, seconds: seconds)
    }

    static func render(_ soundFont: SoundFont, pitch: Int, velocity: Int, seconds: Double) throws -> [Float] {
        // 120 BPM at 480 ticks per quarter: 960 ticks a second.
        let score = PianoScore(notes: [ScoreNote(pitch: pitch, velocity: velocity, onsetTicks: 0, durationTicks: Int(seconds * 960))])
        var options = RenderOptions()
        options.reverb = false
        options.tailSeconds = 1
        return try AudioExport.renderSamples(score: score, options: options, soundFont: soundFont)
    }

    /// RMS in dBFS of the 0.25 s from `seconds`.
    static func level(_ samples: [Float], at seconds: Double) -> Double {
        let from = Int(seconds * sampleRate)
        return 20 * log10(SignalAnalysis.rms(samples, from: from, to: from + Int(0.25 * sampleRate)))
    }

    static func expectLevels(_ samples: [Float], _ reference: [(seconds: Double, decibels: Double)], within tolerance: Double,
                             _ label: String) {
        for (t, want) in reference {
            let got = level(samples, at: t)
            #expect(abs(got - want) <= tolerance, "\(label) at \(t) s: \(String(format: "%.2f", got)) dB, FluidSynth \(want) dB")
        }
    }

    /// The fonts FluidSynth rendered for the reference levels are these tests' fonts.
    @Test func committedFontsAreTheTestFonts() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/soundfonts")
        for (file, font) in [("tiny-plain", TinySoundFont()), ("tiny-piano-like", Self.pianoLikeFont()),
                             ("tiny-pitch-sweep", Self.pitchSweepFont()), ("tiny-filter-sweep", Self.filterSweepFont())] {
            let bytes = try Data(contentsOf: folder.appendingPathComponent("\(file).sf2").standardized)
            #expect(bytes == Data(font.bytes()), "\(file).sf2 differs from the font the test builds")
        }
    }

    // MARK: envelopes

    @Test func volumeEnvelopeDecaysTowardASilentSustainOverTheDecayTime() {
        // hold 1 s, decay 10 s for the full 96 dB, silent sustain.
        var e = SoundFontEnvelope(kind: .volume, delaySeconds: 0, attackSeconds: 0.001, holdSeconds: 1, decaySeconds: 10,
                                  sustain: 1000, releaseSeconds: 0.5, sampleRate: 1000)
        e.advance(frames: 500)
        #expect(e.stage == .hold && abs(e.value - 1) < 1e-9)
        e.advance(frames: 2500)                               // 3 s into the note, 2 s into the decay
        #expect(e.stage == .decay)
        #expect(abs(20 * log10(e.value) + 96 * 2 / 10) < 0.01, "\(20 * log10(e.value)) dB")
        e.advance(frames: 8100)                               // past 1 + 10 s
        #expect(e.stage == .done && e.value == 0)
    }

    @Test func volumeEnvelopeStopsAtAnAudibleSustainAndReleasesFromIt() {
        // Sustain 300 cB is 0.3 of the 96 dB range, reached after 0.3 of the 4 s decay.
        var e = SoundFontEnvelope(kind: .volume, delaySeconds: 0, attackSeconds: 0.001, holdSeconds: 0, decaySeconds: 4,
                                  sustain: 300, releaseSeconds: 1, sampleRate: 1000)
        e.advance(frames: 1100)
        #expect(e.stage == .decay)
        e.advance(frames: 2000)
        #expect(e.stage == .sustain && abs(20 * log10(e.value) + 0.3 * 96) < 0.01)
        e.release()
        e.advance(frames: 350)                                // a full-range release of 1 s: 0.35 left of 0.7
        #expect(abs(20 * log10(e.value) + 0.65 * 96) < 0.01)
        e.advance(frames: 400)
        #expect(e.stage == .done)
    }

    @Test func releaseDuringTheAttackKeepsTheLevel() {
        for kind in [SoundFontEnvelope.Kind.volume, .modulation] {
            var e = SoundFontEnvelope(kind: kind, delaySeconds: 0, attackSeconds: 1, holdSeconds: 0, decaySeconds: 1,
                                      sustain: 0, releaseSeconds: 1, sampleRate: 1000)
            e.advance(frames: 300)
            let before = e.value
            e.release()
            #expect(abs(e.value - before) < 1e-9, "\(kind): \(before) became \(e.value)")
        }
    }

    /// The bug: a note whose sustain is silent ended when its decay began (after the 1 s hold).
    @Test func aPianoNoteWithASilentSustainStillSoundsAfterThreeSeconds() throws {
        let samples = try Self.render(Self.pianoLikeFont(), pitch: 60, velocity: 100, seconds: 6)
        let early = Self.level(samples, at: 0.5), late = Self.level(samples, at: 3)
        #expect(late > -80, "silent at 3 s: \(late) dB")
        // 2 s into a 17.5 s decay is 11 dB down; the closing filter takes a little more.
        #expect(early - late > 9 && early - late < 25, "from \(early) to \(late) dB")
    }

    // MARK: level, filter and modulation envelope against FluidSynth

    /// The plain sine font (no filter, no envelope): key 69 (880 Hz), velocity 100.
    @Test func plainLevelMatchesFluidSynth() throws {
        let samples = try Self.render(TinySoundFont(), pitch: 69, velocity: 100, seconds: 4)
        Self.expectLevels(samples, [(0.5, -33.43), (2, -33.43), (3.5, -33.43)], within: 1, "plain")
        var soft = try Self.render(TinySoundFont(), pitch: 69, velocity: 40, seconds: 4)
        Self.expectLevels(soft, [(0.5, -49.33)], within: 1, "velocity 40")
        soft = []
    }

    /// The piano-like font: the modulation envelope opens the 445 Hz filter to 2.5 kHz and
    /// closes it over the decay, so the 262 Hz tone's level follows FluidSynth's over time.
    @Test func filterSweepAndDecayMatchFluidSynth() throws {
        let samples = try Self.render(Self.pianoLikeFont(), pitch: 60, velocity: 100, seconds: 6)
        Self.expectLevels(samples, [(0, -33.48), (0.5, -33.43), (1, -34.04), (2, -39.53), (3, -45.03), (5, -56.02)],
                          within: 1, "piano-like")
        let high = try Self.render(Self.pianoLikeFont(), pitch: 69, velocity: 100, seconds: 6)
        Self.expectLevels(high, [(0, -33.54), (1, -34.12), (3, -45.19)], within: 1, "piano-like key 69")
    }

    /// The resonant filter swept down across an 880 Hz tone (key 69, velocity 100).
    @Test func resonantFilterSweepMatchesFluidSynth() throws {
        let samples = try Self.render(Self.filterSweepFont(), pitch: 69, velocity: 100, seconds: 5)
        Self.expectLevels(samples, [(0.1, -35.51), (1, -34.44), (2, -32.88), (3, -38.08), (4.5, -46.86)],
                          within: 1, "filter sweep")
    }

    @Test func modulationEnvelopeBendsThePitch() throws {
        let samples = try Self.render(Self.pitchSweepFont(), pitch: 69, velocity: 100, seconds: 3)
        // An octave up (1760 Hz) through the 1 s hold, then down over the 1 s decay to 880 Hz.
        // FluidSynth, by zero crossings: 1758.9 Hz at 0.5 s, 1246.0 at 1.48 to 1.52 s, 879.5 at 2 s.
        func peak(at seconds: Double, frames: Int) -> Double {
            let from = Int(seconds * Self.sampleRate)
            return SignalAnalysis.peakFrequency(SignalAnalysis.mono(samples, from: from, to: from + frames),
                                                sampleRate: Self.sampleRate, lowHz: 600, highHz: 2200)
        }
        #expect(abs(peak(at: 0.5, frames: 8192) - 1760) < 2, "held: \(peak(at: 0.5, frames: 8192)) Hz")
        #expect(abs(peak(at: 1.48, frames: 1764) - 1246) < 30, "half way: \(peak(at: 1.48, frames: 1764)) Hz")
        #expect(abs(peak(at: 2.2, frames: 8192) - 880) < 2, "after the decay: \(peak(at: 2.2, frames: 8192)) Hz")
    }

    /// Volume and expression from the file set the level of the notes after them: CC7 127
    /// then a note, CC11 64 then another (key 69, velocity 100, 2 s each, plain font).
    @Test func volumeAndExpressionMatchFluidSynth() throws {
        let score = PianoScore(notes: [ScoreNote(pitch: 69, velocity: 100, onsetTicks: 0, durationTicks: 1920),
                                       ScoreNote(pitch: 69, velocity: 100, onsetTicks: 1920, durationTicks: 1920)])
        let levels = [LevelChange(ticks: 0, controller: 7, value: 127), LevelChange(ticks: 1920, controller: 11, value: 64)]
        var options = RenderOptions()
        options.reverb = false
        let samples = try AudioExport.renderSamples(score: score, levels: levels, options: options,
                                                    soundFont: try SoundFont(data: Data(TinySoundFont().bytes())))
        Self.expectLevels(samples, [(0.5, -29.23), (2.5, -41.13)], within: 0.5, "CC7 127, then CC11 64")
    }

    /// chpn-p7.mid (it sets CC7 to 127) on TimGM6mb: the first 10 s, whose RMS FluidSynth
    /// renders at -51.57 dB (sox trim 0 10); without its volume we were 4 dB below.
    @Test func aFileThatSetsItsVolumeMatchesFluidSynth() throws {
        let url = URL(fileURLWithPath: "/usr/share/sounds/sf2/TimGM6mb.sf2")
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("skipped: timgm6mb-soundfont not installed"); return
        }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/chpn-p7.mid").standardized
        let midi = try MIDIFile(contentsOf: file)
        var score = PianoScore(midi: midi)
        let cut = Int(score.tempoMap.ticks(atSeconds: 11))
        score.notes.removeAll { $0.onsetTicks >= cut }
        var options = RenderOptions()
        options.reverb = false
        let samples = try AudioExport.renderSamples(score: score, levels: PianoScore.levelChanges(in: midi), options: options,
                                                    soundFont: try SoundFont(contentsOf: url))
        let rms = 20 * log10(SignalAnalysis.rms(samples, from: 0, to: Int(10 * Self.sampleRate)))
        #expect(abs(rms + 51.57) < 1, "\(rms) dB")
    }

    // MARK: keynum

    /// A zone that sets keynum sounds at that key but belongs to the key played: its
    /// note-off releases it (it used to sound for ever).
    @Test func aKeynumZoneIsReleasedByThePlayedKey() throws {
        var font = TinySoundFont()
        font.lowZoneGenerators = [(46, 60)]      // keys 0-59 all sound as key 60 (261.6 Hz)
        let instrument = try SoundFontInstrument(soundFont: try SoundFont(data: Data(font.bytes())), sampleRate: Self.sampleRate)
        var out = [Float](repeating: 0, count: 2 * 44_100)
        out.withUnsafeMutableBufferPointer { buffer in
            instrument.noteOn(pitch: 50, velocity: 100)
            for block in 0..<(44_100 / 64) {
                if block == 300 { instrument.noteOff(pitch: 50) }      // at 0.435 s
                instrument.render(into: buffer.baseAddress! + 128 * block, frames: 64)
            }
        }
        let x = SignalAnalysis.mono(out, from: 4410, to: 4410 + 8192)
        let hz = SignalAnalysis.peakFrequency(x, sampleRate: Self.sampleRate, lowHz: 100, highHz: 1000)
        #expect(abs(hz - 261.63) < 1, "sounds at \(hz) Hz")
        #expect(SignalAnalysis.rms(out, from: 300 * 64 + 4410, to: 44_100 - 64) < 1e-5)   // 100 ms after a 50 ms release
        #expect(instrument.activeVoiceCount == 0)
    }

    // MARK: hostile fonts

    /// 300 preset zones over a 300-zone instrument is 90,000 regions from 4 KB of zones: refused
    /// with a message instead of gigabytes of regions. 100 x 300 plays, starting no more
    /// voices per key than the polyphony.
    @Test func zonePairsAreBoundedAndLayersCannotFloodTheVoices() throws {
        let flood = try SoundFont(data: Data(TinySoundFont.manyZones(presetZones: 300, instrumentZones: 300)))
        #expect(throws: SynthesisError.tooManyRegions(preset: "Many", count: 90_000, limit: SoundFontRegion.maximumRegions)) {
            try SoundFontInstrument(soundFont: flood, sampleRate: Self.sampleRate)
        }
        #expect("\(SynthesisError.tooManyRegions(preset: "Many", count: 90_000, limit: 65_536))"
            == "the SoundFont's preset 'Many' has 90000 zones, more than the 65536 Cadenza plays; try another .sf2 file")
        let layered = try SoundFont(data: Data(TinySoundFont.manyZones(presetZones: 100, instrumentZones: 300)))
        let instrument = try SoundFontInstrument(soundFont: layered, sampleRate: Self.sampleRate, polyphony: 16)
        instrument.noteOn(pitch: 60, velocity: 100)
        #expect(instrument.activeVoiceCount == 16)
    }

    // MARK: a real font

    /// TimGM6mb's piano (Debian timgm6mb-soundfont), C4 at velocity 100 held 6 s.
    @Test func timGM6mbPianoMatchesFluidSynth() throws {
        let url = URL(fileURLWithPath: "/usr/share/sounds/sf2/TimGM6mb.sf2")
        guard FileManager.default.fileExists(atPath: url.path) else {
            print("skipped: timgm6mb-soundfont not installed"); return
        }
        let samples = try Self.render(try SoundFont(contentsOf: url), pitch: 60, velocity: 100, seconds: 6)
        Self.expectLevels(samples, [(0, -41.00), (0.5, -46.88), (1, -54.95), (2, -64.92), (3, -70.39), (4, -75.85), (5, -81.16)],
                          within: 1, "TimGM6mb C4")
    }
}
