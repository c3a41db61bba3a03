// WAV (RIFF WAVE) encoding: the 44-byte PCM header (or 58-byte float header with a
// fact chunk) and sample conversion from Float to 16-bit, 24-bit or 32-bit float.
// Pure bytes in memory; WAVFileWriter streams them to disk atomically.
import Foundation

public enum WAVBitDepth: String, Sendable, CaseIterable {
    case int16 = "16"
    case int24 = "24"
    case float32 = "32f"

    var bytesPerSample: Int { self == .int16 ? 2 : self == .int24 ? 3 : 4 }
    var formatTag: UInt16 { self == .float32 ? 3 : 1 }
}

enum WAVEncoder {
    /// The most frames a WAV file can hold: its header states sizes in 32 bits (4 GB).
    static func maximumFrames(channels: Int, bitDepth: WAVBitDepth) -> Int {
        (Int(UInt32.max) - 100) / (channels * bitDepth.bytesPerSample)
    }

    /// The header for `frames` frames of `channels`-channel audio.
    static func header(frames: Int, channels: Int, sampleRate: Int, bitDepth: WAVBitDepth) -> [UInt8] {
        let blockAlign = channels * bitDepth.bytesPerSample
        let dataBytes = frames * blockAlign
        let isFloat = bitDepth == .float32
        let fmtBytes = isFloat ? 18 : 16
        let factBytes = isFloat ? 12 : 0
        var h: [UInt8] = []
        func u32(_ v: Int) { let x = UInt32(truncatingIfNeeded: v); h += [UInt8(x & 0xFF), UInt8(x >> 8 & 0xFF), UInt8(x >> 16 & 0xFF), UInt8(x >> 24)] }
        func u16(_ v: Int) { let x = UInt16(truncatingIfNeeded: v); h += [UInt8(x & 0xFF), UInt8(x >> 8)] }
        h += Array("RIFF".utf8); u32(4 + (8 + fmtBytes) + factBytes + (8 + dataBytes))
        h += Array("WAVE".utf8)
        h += Array("fmt ".utf8); u32(fmtBytes)
        u16(Int(bitDepth.formatTag)); u16(channels); u32(sampleRate)
        u32(sampleRate * blockAlign); u16(blockAlign); u16(bitDepth.bytesPerSample * 8)
        if isFloat { u16(0) }
        if isFloat { h += Array("fact".utf8); u32(4); u32(frames) }
        h += Array("data".utf8); u32(dataBytes)
        return h
    }

    /// Appends `samples` (any channel layout, already interleaved) converted to `bitDepth`.
    static func append(_ samples: UnsafeBufferPointer<Float>, bitDepth: WAVBitDepth, to bytes: inout [UInt8]) {
        switch bitDepth {
        case .int16:
            for s in samples {
                let v = Int16((max(-1, min(1, s)) * 32767).rounded())
                let u = UInt16(bitPattern: v)
                bytes.append(UInt8(u & 0xFF)); bytes.append(UInt8(u >> 8))
            }
        case .int24:
            for s in samples {
                let v = Int32((max(-1, min(1, s)) * 8_388_607).rounded())
                let u = UInt32(bitPattern: v)
                bytes.append(UInt8(u & 0xFF)); bytes.append(UInt8(u >> 8 & 0xFF)); bytes.append(UInt8(u >> 16 & 0xFF))
            }
        case .float32:
            for s in samples {
                let u = s.bitPattern
                bytes.append(UInt8(u & 0xFF)); bytes.append(UInt8(u >> 8 & 0xFF))
                bytes.append(UInt8(u >> 16 & 0xFF)); bytes.append(UInt8(u >> 24))
            }
        }
    }
}
