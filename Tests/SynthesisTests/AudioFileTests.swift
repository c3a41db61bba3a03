// WAV files read back by independent tools (Python's wave module, sox's soxi), the
// atomic write, MP3 through LAME, and the message when no MP3 encoder exists.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Synthesis

@Suite struct AudioFileTests {
    let score = PianoScore(ticksPerQuarter: 480, notes: [
        ScoreNote(pitch: 60, velocity: 90, onsetTicks: 0, durationTicks: 480),
        ScoreNote(pitch: 67, velocity: 70, onsetTicks: 240, durationTicks: 480),
    ])

    /// A short tail keeps these debug-build tests fast.
    var options: RenderOptions { var o = RenderOptions(); o.tailSeconds = 0.2; return o }

    func temporaryDirectory() throws -> URL { try TemporaryFolder("cadenza-synth").url }

    static func tool(_ name: String) -> String? {
        MP3Encoder.findExecutable(name, searchPath: ProcessInfo.processInfo.environment["PATH"])
    }
    static let hasLAME = (try? MP3Encoder.checkAvailable()) != nil

    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: tool("python3") != nil, "needs python3"))
    func wavHeaderReadsBackWithPythonWave() throws {
        let python = try #require(Self.tool("python3"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("two notes.wav")
        var options = self.options
        options.sampleRate = 22_050
        try AudioExport.writeWAV(score: score, to: url, options: options)
        let expectedFrames = ScoreRenderer(score: score, options: options).totalFrames
        let result = try run(python, ["-c", """
            import wave, sys
            w = wave.open(sys.argv[1], 'rb')
            print(w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
            """, url.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "2 2 22050 \(expectedFrames)")
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        #expect(size == 44 + expectedFrames * 4)
        // No temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["two notes.wav"])
    }

    @Test(.enabled(if: tool("soxi") != nil, "needs soxi (Debian sox)"),
          arguments: [(WAVBitDepth.int24, "24", "Signed Integer PCM"), (.float32, "32", "Floating Point PCM")])
    func wavHeaderReadsBackWithSoxi(bitDepth: WAVBitDepth, bits: String, encoding: String) throws {
        let soxi = try #require(Self.tool("soxi"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.wav")
        var options = self.options
        options.bitDepth = bitDepth
        try AudioExport.writeWAV(score: score, to: url, options: options)
        let frames = ScoreRenderer(score: score, options: options).totalFrames
        #expect(try run(soxi, ["-s", url.path]).output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(frames)")
        #expect(try run(soxi, ["-b", url.path]).output.trimmingCharacters(in: .whitespacesAndNewlines) == bits)
        #expect(try run(soxi, ["-r", url.path]).output.trimmingCharacters(in: .whitespacesAndNewlines) == "44100")
        #expect(try run(soxi, ["-e", url.path]).output.contains(encoding))
    }

    @Test func wavSamplesMatchTheRendering() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.wav")
        try AudioExport.writeWAV(score: score, to: url, options: options)
        let bytes = try [UInt8](Data(contentsOf: url))
        let samples = try AudioExport.renderSamples(score: score, options: options)
        #expect(bytes.count == 44 + samples.count * 2)
        for k in stride(from: 0, to: samples.count, by: 997) {
            let value = Int16(bitPattern: UInt16(bytes[44 + 2 * k]) | UInt16(bytes[45 + 2 * k]) << 8)
            #expect(value == Int16((samples[k] * 32767).rounded()))
        }
    }

    @Test func failedWriteLeavesNoFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-dir-\(UUID().uuidString)/x.wav")
        #expect(throws: SynthesisError.self) { try AudioExport.writeWAV(score: score, to: url) }
    }

    @Test func badOptionsAreRejected() throws {
        var options = RenderOptions()
        options.sampleRate = 1000
        #expect(throws: SynthesisError.self) { try AudioExport.renderSamples(score: score, options: options) }
    }

    @Test(.enabled(if: hasLAME, "needs LAME (Debian lame or libmp3lame0)"))
    func mp3IsWrittenWhenLameIsPresent() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.mp3")
        try AudioExport.write(score: score, to: url, options: options)  // by the extension
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(bytes.count > 1000)
        // An MPEG audio frame sync (11 set bits) near the start (after an optional ID3 tag).
        let hasSync = (0..<min(bytes.count - 1, 4096)).contains { bytes[$0] == 0xFF && bytes[$0 + 1] & 0xE0 == 0xE0 }
        #expect(hasSync)
    }

    @Test func theExtensionPicksTheFormatAndAnyOtherIsRefusedListingThem() throws {
        #expect(try AudioFileFormat.forWriting("a/b.WAV") == .wav)
        #expect(throws: SynthesisError.unsupportedAudioFormat(path: "x.flac", extension: "flac")) {
            try AudioFileFormat.forWriting("x.flac")
        }
        #expect(SynthesisError.unsupportedAudioFormat(path: "x.flac", extension: "flac").description
                == "cannot write audio to x.flac: .flac is not a format Cadenza writes; use .wav or .mp3")
        #expect(SynthesisError.unsupportedAudioFormat(path: "x", extension: "").description.contains("no extension"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Once a path without an extension became a WAV file; now nothing is written.
        #expect(throws: SynthesisError.self) { try AudioExport.write(score: score, to: dir.appendingPathComponent("song"), options: options) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func missingEncoderNamesThePackages() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try MP3Encoder.makeSink(url: dir.appendingPathComponent("x.mp3"), sampleRate: 44_100, searchPath: "", libraryNames: [])
            Issue.record("expected an error")
        } catch let error as SynthesisError {
            #expect("\(error)".contains("lame"))
            #expect("\(error)".contains("libmp3lame0"))
        }
    }
}
