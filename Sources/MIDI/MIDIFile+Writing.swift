// Encoding a MIDIFile as Standard MIDI File bytes, and writing it atomically.
// Events are written in tick order (a stable sort, only when needed); each track ends
// with exactly one end-of-track. Channel messages use running status, restated after
// every meta and sysex event as the spec asks. A note-off with velocity 0 is written
// as note-on velocity 0 (equivalent, and it keeps running status going).

import FileSafety
import Foundation

extension MIDIFile {
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14 + tracks.reduce(0) { $0 + 8 + $1.events.count * 4 })
        out += Array("MThd".utf8)
        appendUInt32(6, to: &out)
        appendUInt16(max(0, min(2, format)), to: &out)
        appendUInt16(min(tracks.count, 0xFFFF), to: &out)
        switch division {
        case .ticksPerQuarter(let ticks):
            appendUInt16(max(1, min(0x7FFF, ticks)), to: &out)
        case .smpte(let framesPerSecond, let ticksPerFrame):
            out.append(UInt8(bitPattern: Int8(-max(1, min(127, framesPerSecond)))))
            out.append(UInt8(max(1, min(255, ticksPerFrame))))
        }
        for track in tracks.prefix(0xFFFF) {
            out += Array("MTrk".utf8)
            let lengthIndex = out.count
            appendUInt32(0, to: &out)
            track.encodeEvents(into: &out)
            let length = out.count - lengthIndex - 4
            out[lengthIndex] = UInt8(truncatingIfNeeded: length >> 24)
            out[lengthIndex + 1] = UInt8(truncatingIfNeeded: length >> 16)
            out[lengthIndex + 2] = UInt8(truncatingIfNeeded: length >> 8)
            out[lengthIndex + 3] = UInt8(truncatingIfNeeded: length)
        }
        return out
    }

    /// Writes the encoded file atomically (a temporary file in the same folder, then a rename).
    public func write(to url: URL) throws {
        let name = url.isFileURL ? url.path : url.absoluteString
        do {
            try AtomicFile.write(Data(encoded()), to: url)
        } catch let e as AtomicFileError {
            throw MIDIError.io(file: name, reason: "cannot write file (\(e.reason))")
        }
    }
}

extension MIDITrack {
    func encodeEvents(into out: inout [UInt8]) {
        let ordered = stableSorted(events) { $0.ticks < $1.ticks }
        var previousTicks = 0
        var runningStatus: UInt8 = 0
        var endTicks = 0
        for timed in ordered {
            let ticks = max(previousTicks, timed.ticks)
            if case .meta(.endOfTrack) = timed.event { endTicks = max(endTicks, ticks); continue }
            VariableLengthQuantity.append(min(ticks - previousTicks, VariableLengthQuantity.maximum), to: &out)
            previousTicks = ticks
            switch timed.event {
            case .channel(let message):
                message.encode(into: &out, runningStatus: &runningStatus)
            case .sysex(let payload, let escape):
                out.append(escape ? 0xF7 : 0xF0)
                VariableLengthQuantity.append(min(payload.count, VariableLengthQuantity.maximum), to: &out)
                out += payload.prefix(VariableLengthQuantity.maximum)
                runningStatus = 0
            case .meta(let meta):
                let (type, data) = meta.encodedPayload()
                out.append(0xFF)
                out.append(type)
                VariableLengthQuantity.append(min(data.count, VariableLengthQuantity.maximum), to: &out)
                out += data.prefix(VariableLengthQuantity.maximum)
                runningStatus = 0
            }
        }
        VariableLengthQuantity.append(min(max(0, endTicks - previousTicks), VariableLengthQuantity.maximum), to: &out)
        out += [0xFF, 0x2F, 0x00]
    }
}

extension ChannelMessage {
    func encode(into out: inout [UInt8], runningStatus: inout UInt8) {
        let status: UInt8, a: UInt8, b: UInt8?
        switch self {
        case .noteOff(let c, let k, let v):
            if v == 0 { status = 0x90 | (c & 0x0F); a = k; b = 0 } else { status = 0x80 | (c & 0x0F); a = k; b = v }
        case .noteOn(let c, let k, let v): status = 0x90 | (c & 0x0F); a = k; b = v
        case .polyphonicPressure(let c, let k, let p): status = 0xA0 | (c & 0x0F); a = k; b = p
        case .controlChange(let c, let n, let v): status = 0xB0 | (c & 0x0F); a = n; b = v
        case .programChange(let c, let p): status = 0xC0 | (c & 0x0F); a = p; b = nil
        case .channelPressure(let c, let p): status = 0xD0 | (c & 0x0F); a = p; b = nil
        case .pitchBend(let c, let v):
            let value = min(v, 0x3FFF)
            status = 0xE0 | (c & 0x0F); a = UInt8(value & 0x7F); b = UInt8(value >> 7)
        }
        if status != runningStatus { out.append(status); runningStatus = status }
        out.append(a & 0x7F)
        if let b { out.append(b & 0x7F) }
    }
}

extension MetaEvent {
    /// The meta type byte and payload. Out-of-range values are clamped to what fits.
    func encodedPayload() -> (UInt8, [UInt8]) {
        switch self {
        case .sequenceNumber(let n):
            let v = max(0, min(0xFFFF, n)); return (0x00, [UInt8(v >> 8), UInt8(v & 0xFF)])
        case .text(let s): return (0x01, Self.encodeText(s))
        case .copyright(let s): return (0x02, Self.encodeText(s))
        case .trackName(let s): return (0x03, Self.encodeText(s))
        case .instrumentName(let s): return (0x04, Self.encodeText(s))
        case .lyric(let s): return (0x05, Self.encodeText(s))
        case .marker(let s): return (0x06, Self.encodeText(s))
        case .cuePoint(let s): return (0x07, Self.encodeText(s))
        case .channelPrefix(let c): return (0x20, [c & 0x0F])
        case .endOfTrack: return (0x2F, [])
        case .tempo(let microseconds):
            let v = max(0, min(0xFF_FFFF, microseconds))  // 0 is meaningless but written as read
            return (0x51, [UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
        case .smpteOffset(let h, let m, let s, let f, let sub): return (0x54, [h, m, s, f, sub])
        case .timeSignature(let numerator, let denominator, let clocks, let thirtySeconds):
            var power = 0
            while power < 7 && (1 << (power + 1)) <= denominator { power += 1 }
            return (0x58, [UInt8(max(1, min(255, numerator))), UInt8(power),
                           UInt8(max(0, min(255, clocks))), UInt8(max(0, min(255, thirtySeconds)))])
        case .keySignature(let sharps, let isMinor):
            return (0x59, [UInt8(bitPattern: Int8(max(-7, min(7, sharps)))), isMinor ? 1 : 0])
        case .other(let type, let data): return (type, data)
        }
    }

    /// Latin-1 when every character fits (what most MIDI software reads) and the reader
    /// will decode it back as Latin-1; UTF-8 otherwise (for example "Ã©", whose Latin-1
    /// bytes C3 A9 would read back as UTF-8 "é").
    static func encodeText(_ s: String) -> [UInt8] {
        let utf8 = Array(s.utf8)
        guard utf8.contains(where: { $0 >= 0x80 }), s.unicodeScalars.allSatisfy({ $0.value < 0x100 }) else { return utf8 }
        let latin1 = s.unicodeScalars.map { UInt8($0.value) }
        return decodeText(latin1) == s ? latin1 : utf8
    }
}

private func appendUInt32(_ v: Int, to out: inout [UInt8]) {
    out += [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}

private func appendUInt16(_ v: Int, to out: inout [UInt8]) {
    out += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
}
