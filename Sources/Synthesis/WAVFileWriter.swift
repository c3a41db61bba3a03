// Streams interleaved stereo Float chunks into a WAV file, atomically: the header is
// written with the final sizes when `finish` is called, then the file is renamed into place.
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
    private let file: AtomicFile
    private var frames = 0
    private var bytes: [UInt8] = []

    init(url: URL, sampleRate: Int, bitDepth: WAVBitDepth) throws {
        self.bitDepth = bitDepth
        self.sampleRate = sampleRate
        file = try AtomicFile(url: url)
        try file.write(WAVEncoder.header(frames: 0, channels: channels, sampleRate: sampleRate, bitDepth: bitDepth))
        bytes.reserveCapacity(65_536)
    }

    func consume(_ samples: UnsafeBufferPointer<Float>) throws {
        bytes.removeAll(keepingCapacity: true)
        WAVEncoder.append(samples, bitDepth: bitDepth, to: &bytes)
        try file.write(bytes)
        frames += samples.count / channels
    }

    func finish() throws {
        let maxFrames = (Int(UInt32.max) - 100) / (channels * bitDepth.bytesPerSample)
        guard frames <= maxFrames else {
            file.discard()
            throw SynthesisError.cannotWrite(path: file.url.path, reason: "audio longer than a WAV file can hold (4 GB)")
        }
        try file.write(WAVEncoder.header(frames: frames, channels: channels, sampleRate: sampleRate, bitDepth: bitDepth), at: 0)
        try file.commit()
    }
}
