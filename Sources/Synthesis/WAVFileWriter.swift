// Streams interleaved stereo Float chunks into a WAV file, atomically: the header is
// written with the final sizes when `finish` is called, then the file is renamed into place.
import FileSafety
import Foundation

/// Where rendered audio goes, chunk by chunk (a WAV file, an MP3 encoder).
protocol AudioSink: AnyObject {
    func consume(_ samples: UnsafeBufferPointer<Float>) throws
    func finish() throws
}

final class WAVFileWriter: AudioSink {
    let bitDepth: WAVBitDepth
    let sampleRate: Int
    let channels = 2
    private let file: AtomicFileWriter
    private var frames = 0
    private var bytes: [UInt8] = []

    init(url: URL, sampleRate: Int, bitDepth: WAVBitDepth) throws {
        self.bitDepth = bitDepth
        self.sampleRate = sampleRate
        file = try reportingWriteErrors { try AtomicFileWriter(path: url.path) }
        try reportingWriteErrors { try file.write(WAVEncoder.header(frames: 0, channels: channels, sampleRate: sampleRate, bitDepth: bitDepth)) }
        bytes.reserveCapacity(65_536)
    }

    func consume(_ samples: UnsafeBufferPointer<Float>) throws {
        bytes.removeAll(keepingCapacity: true)
        WAVEncoder.append(samples, bitDepth: bitDepth, to: &bytes)
        try reportingWriteErrors { try file.write(bytes) }
        frames += samples.count / channels
    }

    func finish() throws {
        try finish(commit: true)
    }

    /// The temporary file, complete after `finish(commit: false)` (for the lame command).
    var temporaryPath: String { file.temporaryPath }

    /// Writes the final header; renames the file into place only if `commit`, else leaves
    /// the complete temporary file to be read and then removed by `discard`.
    func finish(commit: Bool) throws {
        guard frames <= WAVEncoder.maximumFrames(channels: channels, bitDepth: bitDepth) else {
            file.discard()
            throw SynthesisError.cannotWrite(path: file.path, reason: "audio longer than a WAV file can hold (4 GB)")
        }
        try reportingWriteErrors {
            try file.write(WAVEncoder.header(frames: frames, channels: channels, sampleRate: sampleRate, bitDepth: bitDepth), at: 0)
            if commit { try file.commit() } else { try file.flushAndClose() }
        }
    }

    func discard() { file.discard() }
}
