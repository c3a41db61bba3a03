// MP3 output through LAME, found at run time: libmp3lame loaded with dlopen (Debian
// `libmp3lame0`), else the `lame` command (Debian `lame`) fed a temporary WAV file.
// Nothing links against LAME at build time. A clear error names the packages when
// neither is present.
import FileSafety
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum MP3Encoder {
    static let libraryNames = ["libmp3lame.so.0", "libmp3lame.so", "libmp3lame.0.dylib", "libmp3lame.dylib"]
    static let bitrateKbps = 192

    /// The encoder to use: in-process library first, then the command.
    static func makeSink(url: URL, sampleRate: Int,
                         searchPath: String? = ProcessInfo.processInfo.environment["PATH"],
                         libraryNames: [String] = libraryNames) throws -> AudioSink {
        if let lib = LameLibrary.load(names: libraryNames) {
            return try LameLibrarySink(library: lib, url: url, sampleRate: sampleRate)
        }
        if let command = findExecutable("lame", searchPath: searchPath) {
            return try LameCommandSink(command: command, url: url, sampleRate: sampleRate)
        }
        throw SynthesisError.mp3EncoderMissing(reason: "neither libmp3lame nor the lame command is installed")
    }

    /// Throws `mp3EncoderMissing` unless libmp3lame or the lame command can be found.
    static func checkAvailable(searchPath: String? = ProcessInfo.processInfo.environment["PATH"],
                               libraryNames: [String] = libraryNames) throws {
        if LameLibrary.load(names: libraryNames) != nil || findExecutable("lame", searchPath: searchPath) != nil { return }
        throw SynthesisError.mp3EncoderMissing(reason: "neither libmp3lame nor the lame command is installed")
    }

    static func findExecutable(_ name: String, searchPath: String?) -> String? {
        for dir in (searchPath ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// The few LAME functions we need, looked up with dlsym.
struct LameLibrary {
    typealias Init = @convention(c) () -> OpaquePointer?
    typealias SetInt = @convention(c) (OpaquePointer?, Int32) -> Int32
    typealias Call = @convention(c) (OpaquePointer?) -> Int32
    typealias EncodeFloat = @convention(c) (OpaquePointer?, UnsafePointer<Float>?, Int32, UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    typealias Flush = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32

    let lameInit: Init
    let setInSampleRate: SetInt
    let setChannels: SetInt
    let setBitrate: SetInt
    let setQuality: SetInt
    let initParams: Call
    let encodeInterleavedFloat: EncodeFloat
    let flush: Flush
    let close: Call

    static func load(names: [String]) -> LameLibrary? {
        for name in names {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            func sym<T>(_ s: String, _: T.Type) -> T? {
                guard let p = dlsym(handle, s) else { return nil }
                return unsafeBitCast(p, to: T.self)
            }
            if let a = sym("lame_init", Init.self),
               let b = sym("lame_set_in_samplerate", SetInt.self),
               let c = sym("lame_set_num_channels", SetInt.self),
               let d = sym("lame_set_brate", SetInt.self),
               let e = sym("lame_set_quality", SetInt.self),
               let f = sym("lame_init_params", Call.self),
               let g = sym("lame_encode_buffer_interleaved_ieee_float", EncodeFloat.self),
               let h = sym("lame_encode_flush", Flush.self),
               let i = sym("lame_close", Call.self) {
                return LameLibrary(lameInit: a, setInSampleRate: b, setChannels: c, setBitrate: d, setQuality: e,
                                   initParams: f, encodeInterleavedFloat: g, flush: h, close: i)
            }
            dlclose(handle)
        }
        return nil
    }
}

final class LameLibrarySink: AudioSink {
    private let lib: LameLibrary
    private let state: OpaquePointer
    private let file: AtomicFileWriter
    private var output: [UInt8] = []
    private var closed = false

    init(library: LameLibrary, url: URL, sampleRate: Int) throws {
        lib = library
        guard let s = library.lameInit() else { throw SynthesisError.mp3EncodingFailed(reason: "lame_init failed") }
        state = s
        _ = lib.setInSampleRate(s, Int32(sampleRate))
        _ = lib.setChannels(s, 2)
        _ = lib.setBitrate(s, Int32(MP3Encoder.bitrateKbps))
        _ = lib.setQuality(s, 2)
        guard lib.initParams(s) >= 0 else {
            _ = lib.close(s)
            throw SynthesisError.mp3EncodingFailed(reason: "lame rejected the settings (sample rate \(sampleRate) Hz?)")
        }
        do { file = try reportingWriteErrors { try AtomicFileWriter(path: url.path) } } catch { _ = lib.close(s); throw error }
    }

    deinit { if !closed { _ = lib.close(state) } }

    func consume(_ samples: UnsafeBufferPointer<Float>) throws {
        let frames = samples.count / 2
        let capacity = frames + frames / 4 + 7200
        if output.count < capacity { output = [UInt8](repeating: 0, count: capacity) }
        let n = output.withUnsafeMutableBufferPointer {
            lib.encodeInterleavedFloat(state, samples.baseAddress, Int32(frames), $0.baseAddress, Int32(capacity))
        }
        guard n >= 0 else { throw SynthesisError.mp3EncodingFailed(reason: "lame_encode returned \(n)") }
        if n > 0 { try reportingWriteErrors { try file.write(Array(output[0..<Int(n)])) } }
    }

    func finish() throws {
        if output.count < 7200 { output = [UInt8](repeating: 0, count: 7200) }
        let n = output.withUnsafeMutableBufferPointer { lib.flush(state, $0.baseAddress, Int32($0.count)) }
        _ = lib.close(state)
        closed = true
        guard n >= 0 else { throw SynthesisError.mp3EncodingFailed(reason: "lame_encode_flush returned \(n)") }
        if n > 0 { try reportingWriteErrors { try file.write(Array(output[0..<Int(n)])) } }
        try reportingWriteErrors { try file.commit() }
    }
}

/// Writes a temporary 16-bit WAV, then runs `lame` on it into the temporary file of an
/// atomic write of the MP3, which is renamed into place. Both temporary files are the
/// usual ones (TemporaryFiles), removed on failure and on a signal.
final class LameCommandSink: AudioSink {
    private let command: String
    private let url: URL
    private let wav: WAVFileWriter

    init(command: String, url: URL, sampleRate: Int) throws {
        self.command = command
        self.url = url
        wav = try WAVFileWriter(url: url.deletingPathExtension().appendingPathExtension("wav"), sampleRate: sampleRate, bitDepth: .int16)
    }

    func consume(_ samples: UnsafeBufferPointer<Float>) throws { try wav.consume(samples) }

    func finish() throws {
        try wav.finish(commit: false)
        defer { wav.discard() }
        let mp3 = try reportingWriteErrors { try AtomicFileWriter(path: url.path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = ["--quiet", "-b", "\(MP3Encoder.bitrateKbps)", wav.temporaryPath, mp3.temporaryPath]
        do { try process.run() } catch {
            throw SynthesisError.mp3EncodingFailed(reason: "cannot run \(command): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SynthesisError.mp3EncodingFailed(reason: "\(command) exited with status \(process.terminationStatus)")
        }
        try reportingWriteErrors { try mp3.commit() }
    }
}
