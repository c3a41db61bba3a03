// SoundFont 2: parsing the self-built tiny font, playing it (key split, root key and
// pitch correction, loop, release, pan, attenuation), corrupt variants (each a
// SynthesisError, never a crash), and Debian's real fonts when installed.
import Foundation
import MIDI
import Testing
@testable import Synthesis

@Suite struct SoundFontTests {
    let sampleRate = 44_100.0

    func play(_ font: SoundFont, pitch: Int, velocity: Int = 100, heldFrames: Int = 22_050, releasedFrames: Int = 8_820) throws -> [Float] {
        let instrument = try SoundFontInstrument(soundFont: font, sampleRate: sampleRate)
        var out = [Float](repeating: 0, count: 2 * (heldFrames + releasedFrames))
        out.withUnsafeMutableBufferPointer { buffer in
            instrument.noteOn(pitch: pitch, velocity: velocity)
            var done = 0
            while done < heldFrames + releasedFrames {
                if done == heldFrames { instrument.noteOff(pitch: pitch) }
                let n = min(64, (done < heldFrames ? heldFrames : heldFrames + releasedFrames) - done)
                instrument.render(into: buffer.baseAddress! + 2 * done, frames: n)
                done += n
            }
        }
        return out
    }

    @Test func parsesTheTinyFont() throws {
        let font = try SoundFont(data: Data(TinySoundFont().bytes()))
        #expect(font.name == "Tiny Test Font")
        #expect(font.presets.count == 1)
        #expect(font.presets[0].name == "Tiny Piano" && font.presets[0].bank == 0 && font.presets[0].program == 0)
        #expect(font.instruments.count == 1)
        #expect(font.instruments[0].globalZone != nil)
        #expect(font.instruments[0].zones.map(\.keyRange) == [0...59, 60...127])
        #expect(font.samples.count == 2)
        #expect(font.samples[1].start == 1046 && font.samples[1].loopStart == 1246 && font.samples[1].originalPitch == 69)
        #expect(font.samples[0].pitchCorrectionCents == -4)
        #expect(font.sampleData.count == 2 * 1046)
    }

    @Test(arguments: [(57, 220.0), (69, 880.0), (81, 1760.0)])
    func playsAtTheRightPitchThroughTheKeySplit(pitch: Int, hz: Double) throws {
        let font = try SoundFont(data: Data(TinySoundFont().bytes()))
        let samples = try play(font, pitch: pitch)
        // Past the 1000-frame sample: only the loop can still be sounding.
        let x = SignalAnalysis.mono(samples, from: 4410, to: 4410 + 8192)
        let found = SignalAnalysis.peakFrequency(x, sampleRate: sampleRate, lowHz: 100, highHz: 3000)
        #expect(abs(found - hz) / hz < 0.002, "found \(found) Hz, expected \(hz)")
    }

    @Test func releaseEndsTheNoteAndUnloopedSamplesStop() throws {
        let font = try SoundFont(data: Data(TinySoundFont().bytes()))
        let samples = try play(font, pitch: 69)
        #expect(SignalAnalysis.rms(samples, from: 20_000, to: 22_050) > 0.01)       // still looping
        #expect(SignalAnalysis.rms(samples, from: 22_050 + 4410, to: 22_050 + 8820) < 1e-4)   // 100 ms after a 50 ms release
        var unlooped = TinySoundFont()
        unlooped.sampleModes = 0
        let once = try play(try SoundFont(data: Data(unlooped.bytes())), pitch: 69)
        #expect(SignalAnalysis.rms(once, from: 2000, to: 22_050) == 0)   // 1000 frames, then silence
    }

    @Test func attenuationPanAndVelocityShapeTheLevel() throws {
        let plain = try play(try SoundFont(data: Data(TinySoundFont().bytes())), pitch: 69)
        var quieter = TinySoundFont()
        quieter.attenuationCentibels = 200     // 20 dB, times the EMU factor 0.4 = 8 dB
        let attenuated = try play(try SoundFont(data: Data(quieter.bytes())), pitch: 69)
        let ratio = SignalAnalysis.rms(attenuated, from: 4410, to: 22_050) / SignalAnalysis.rms(plain, from: 4410, to: 22_050)
        #expect(abs(20 * log10(ratio) + 8) < 0.5, "ratio \(20 * log10(ratio)) dB")

        var left = TinySoundFont()
        left.pan = -500
        let panned = try play(try SoundFont(data: Data(left.bytes())), pitch: 69)
        let l = (4410..<22_050).reduce(0.0) { $0 + Double(abs(panned[2 * $1])) }
        let r = (4410..<22_050).reduce(0.0) { $0 + Double(abs(panned[2 * $1 + 1])) }
        #expect(r < 0.001 * l)

        let soft = try play(try SoundFont(data: Data(TinySoundFont().bytes())), pitch: 69, velocity: 30)
        #expect(SignalAnalysis.rms(soft, from: 4410, to: 22_050) < 0.5 * SignalAnalysis.rms(plain, from: 4410, to: 22_050))
    }

    @Test func rendersAScoreThroughAudioExport() throws {
        let font = try SoundFont(data: Data(TinySoundFont().bytes()))
        let score = PianoScore(notes: [ScoreNote(pitch: 69, velocity: 100, onsetTicks: 480, durationTicks: 480)])
        var options = RenderOptions()
        options.tailSeconds = 0.1
        let samples = try AudioExport.renderSamples(score: score, options: options, soundFont: font)
        let onset = Int(0.5 * sampleRate)
        #expect(samples[0..<(2 * onset)].allSatisfy { $0 == 0 })
        #expect(SignalAnalysis.rms(samples, from: onset, to: onset + 4410) > 0.01)
    }

    // MARK: corrupt files

    func expectInvalid(_ bytes: [UInt8], _ label: String) {
        do {
            _ = try SoundFont(data: Data(bytes), path: "bad.sf2")
            Issue.record("\(label): parsed without error")
        } catch let error as SynthesisError {
            #expect("\(error)".contains("bad.sf2"), "\(label): \(error)")
        } catch {
            Issue.record("\(label): unexpected error \(error)")
        }
    }

    @Test func everyTruncationIsAnError() {
        let bytes = TinySoundFont().bytes()
        for length in stride(from: 0, to: bytes.count, by: 3) {
            expectInvalid(Array(bytes.prefix(length)), "truncated to \(length)")
        }
    }

    @Test func corruptFieldsAreErrors() {
        let (good, layout) = TinySoundFont().build()
        func patched(_ offset: Int, _ values: [UInt8]) -> [UInt8] {
            var b = good
            for (k, v) in values.enumerated() { b[offset + k] = v }
            return b
        }
        expectInvalid(patched(0, Array("RIFX".utf8)), "not RIFF")
        expectInvalid(patched(8, Array("WAVE".utf8)), "not sfbk")
        expectInvalid(patched(4, [0xF0, 0xFF, 0xFF, 0xFF]), "RIFF size of 4 GB")
        expectInvalid(patched(layout.smplSizeOffset, [0xF0, 0xFF, 0xFF, 0x7F]), "smpl size of 2 GB")
        expectInvalid(patched(layout.pbagOffset + 4, [0xFF, 0x00]), "pbag generator index out of range")
        expectInvalid(patched(layout.shdrOffset + 24, [0xFF, 0xFF, 0x00, 0x00]), "sample end beyond the pool")
        expectInvalid(Array("RIFF".utf8) + TinySoundFont.le32(4) + Array("sfbk".utf8), "no lists")
    }

    @Test func fileBytesInMessagesAreEscaped() {
        let (good, _) = TinySoundFont().build()
        var bytes = good
        bytes.replaceSubrange(8..<12, with: [0x1B, 0x5B, 0x0A, 0x41])  // ESC [ newline A
        do {
            _ = try SoundFont(data: Data(bytes), path: "bad.sf2")
            Issue.record("accepted a RIFF form of ESC bytes")
        } catch {
            #expect("\(error)" == "bad.sf2: not a usable SoundFont 2 file (byte 8): RIFF form is '\\x1B[\\x0AA', not 'sfbk'; try another .sf2 file")
        }
        // A chunk id inside the INFO list.
        bytes = good
        let info = Array(bytes[12...]).firstIndex(of: UInt8(ascii: "i")).map { $0 + 12 }!
        #expect(Array(bytes[info..<(info + 4)]) == Array("ifil".utf8))
        bytes.replaceSubrange(info..<(info + 4), with: [0x1B, 0x5D, 0x30, 0x3B])
        bytes.replaceSubrange((info + 4)..<(info + 8), with: TinySoundFont.le32(0x7FFF_FFFF))
        do {
            _ = try SoundFont(data: Data(bytes), path: "bad.sf2")
            Issue.record("accepted a chunk past the end")
        } catch {
            #expect("\(error)".contains("chunk '\\x1B]0;' claims"), "\(error)")
            #expect(!"\(error)".unicodeScalars.contains { $0.value < 0x20 })
        }
    }

    @Test func randomDamageNeverCrashes() throws {
        let good = TinySoundFont().bytes()
        var seed: UInt64 = 0x1234_5678
        func next() -> Int { seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(seed >> 33) }
        var parsed = 0
        for _ in 0..<120 {
            var bytes = good
            for _ in 0..<(1 + next() % 4) { bytes[next() % bytes.count] = UInt8(next() & 0xFF) }
            guard let font = try? SoundFont(data: Data(bytes)), let instrument = try? SoundFontInstrument(soundFont: font, sampleRate: sampleRate) else { continue }
            parsed += 1
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 128)
            defer { buffer.deallocate() }
            for pitch in [0, 40, 69, 127] { instrument.noteOn(pitch: pitch, velocity: 127) }
            for k in 0..<60 {
                if k == 30 { instrument.allNotesOff() }
                instrument.render(into: buffer, frames: 64)
                for j in 0..<128 { #expect(buffer[j].isFinite) }
            }
        }
        #expect(parsed > 0)
    }

    // MARK: real fonts

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/sounds/sf2/TimGM6mb.sf2"), "needs Debian timgm6mb-soundfont"))
    func debianTimGM6mbParsesAndPlaysItsPiano() throws {
        let url = URL(fileURLWithPath: "/usr/share/sounds/sf2/TimGM6mb.sf2")
        let font = try SoundFont(contentsOf: url)
        #expect(font.presets.count > 100)
        let instrument = try SoundFontInstrument(soundFont: font, sampleRate: sampleRate)
        #expect(instrument.presetName.lowercased().contains("piano"))
        let samples = try play(font, pitch: 69, heldFrames: 16_384 + 2205, releasedFrames: 100)
        let x = SignalAnalysis.mono(samples, from: 2205, to: 2205 + 16_384)
        let found = SignalAnalysis.peakFrequency(x, sampleRate: sampleRate, lowHz: 100, highHz: 2000)
        #expect(abs(found - 440) / 440 < 0.01, "A4 on TimGM6mb peaks at \(found) Hz")
    }

    /// A FIFO or a device is refused before it is opened (it used to say "permission denied").
    @Test func onlyRegularFilesAreRead() throws {
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-\(UUID().uuidString).sf2")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        defer { unlink(fifo.path) }
        for url in [fifo, URL(fileURLWithPath: "/dev/zero")] {
            #expect(throws: SynthesisError.cannotRead(path: url.path, reason: "is not a regular file")) { try SoundFont(contentsOf: url) }
        }
    }
}
