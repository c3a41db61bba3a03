// Reads a SoundFont 2 file (RIFF 'sfbk') into the SoundFont model, validating as it
// goes: 1. RIFF chunks and their lengths against the bytes present, 2. the pdta record
// tables (sizes, terminal records), 3. every index (bags, generators, instruments,
// samples) against its table, 4. sample bounds against the smpl pool. Any violation
// throws SynthesisError.invalidSoundFont with the byte offset; nothing is allocated
// from a length the file claims without first checking the bytes exist. Bytes of the file
// quoted in a message (chunk ids, names) go through escapedForDisplay.
import Foundation
import UntrustedText

struct SoundFontParser {
    let data: Data
    let path: String

    private struct Chunk {
        var id: String
        var offset: Int   // of the payload, from the start of the file
        var size: Int
    }

    private func fail(_ offset: Int, _ reason: String) -> SynthesisError {
        .invalidSoundFont(path: path, offset: offset, reason: reason)
    }

    private func u8(_ o: Int) -> Int { Int(data[data.startIndex + o]) }
    private func u16(_ o: Int) -> Int { u8(o) | u8(o + 1) << 8 }
    private func i16(_ o: Int) -> Int16 { Int16(bitPattern: UInt16(u16(o))) }
    private func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
    private func fourCC(_ o: Int) -> String {
        String(decoding: (0..<4).map { UInt8(u8(o + $0)) }, as: UTF8.self)
    }
    /// A four-character code as a message may quote it.
    private func quotedFourCC(_ o: Int) -> String {
        escapedForDisplay((0..<4).map { UInt8(u8(o + $0)) })
    }
    private func name(_ o: Int, length: Int = 20) -> String {
        var bytes: [UInt8] = []
        for k in 0..<length { let b = UInt8(u8(o + k)); if b == 0 { break }; bytes.append(b) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Sub-chunks of a container payload [start, end).
    private func chunks(from start: Int, to end: Int) throws -> [Chunk] {
        var out: [Chunk] = []
        var o = start
        while o + 8 <= end {
            let id = fourCC(o), size = u32(o + 4)
            guard size <= end - (o + 8) else {
                throw fail(o + 4, "chunk '\(quotedFourCC(o))' claims \(size) bytes but only \(end - o - 8) remain (truncated file?)")
            }
            out.append(Chunk(id: id, offset: o + 8, size: size))
            o += 8 + size + (size & 1)
        }
        return out
    }

    func parse() throws -> SoundFont {
        // 1. The RIFF container.
        guard data.count >= 12 else { throw fail(0, "file is only \(data.count) bytes") }
        guard fourCC(0) == "RIFF" else { throw fail(0, "missing 'RIFF' header") }
        guard fourCC(8) == "sfbk" else { throw fail(8, "RIFF form is '\(quotedFourCC(8))', not 'sfbk'") }
        let riffSize = u32(4)
        guard riffSize >= 4 && riffSize <= data.count - 8 else {
            throw fail(4, "RIFF size \(riffSize) does not match the file size \(data.count)")
        }
        var info: Chunk?, sdta: Chunk?, pdta: Chunk?
        for c in try chunks(from: 12, to: 8 + riffSize) where c.id == "LIST" && c.size >= 4 {
            switch fourCC(c.offset) {
            case "INFO": info = c
            case "sdta": sdta = c
            case "pdta": pdta = c
            default: break
            }
        }
        guard let sdta else { throw fail(12, "no 'sdta' (sample data) list") }
        guard let pdta else { throw fail(12, "no 'pdta' (preset data) list") }

        var fontName = ""
        if let info {
            for c in try chunks(from: info.offset + 4, to: info.offset + info.size) where c.id == "INAM" {
                fontName = name(c.offset, length: min(c.size, 256))
            }
        }

        // 2. Samples: 16-bit little-endian; the pool is only as big as the bytes present.
        var sampleData: [Int16] = []
        for c in try chunks(from: sdta.offset + 4, to: sdta.offset + sdta.size) where c.id == "smpl" {
            let count = c.size / 2
            let base = data.startIndex + c.offset
            sampleData = [Int16](unsafeUninitializedCapacity: count) { buffer, initialized in
                data.withUnsafeBytes { raw in
                    let bytes = raw.baseAddress!.advanced(by: base - data.startIndex)
                    for k in 0..<count {
                        let lo = UInt16(bytes.load(fromByteOffset: 2 * k, as: UInt8.self))
                        let hi = UInt16(bytes.load(fromByteOffset: 2 * k + 1, as: UInt8.self))
                        buffer[k] = Int16(bitPattern: lo | hi << 8)
                    }
                }
                initialized = count
            }
        }

        // 3. The nine preset-data tables.
        var tables: [String: Chunk] = [:]
        for c in try chunks(from: pdta.offset + 4, to: pdta.offset + pdta.size) { tables[c.id] = c }
        func table(_ id: String, recordSize: Int) throws -> (offset: Int, count: Int) {
            guard let c = tables[id] else { throw fail(pdta.offset, "missing '\(id)' table") }
            guard c.size % recordSize == 0 else {
                throw fail(c.offset - 4, "'\(id)' size \(c.size) is not a multiple of \(recordSize)")
            }
            let n = c.size / recordSize
            guard n >= 1 else { throw fail(c.offset - 4, "'\(id)' has no terminal record") }
            return (c.offset, n)
        }
        let phdr = try table("phdr", recordSize: 38), pbag = try table("pbag", recordSize: 4)
        let pmod = try table("pmod", recordSize: 10), pgen = try table("pgen", recordSize: 4)
        let inst = try table("inst", recordSize: 22), ibag = try table("ibag", recordSize: 4)
        let imod = try table("imod", recordSize: 10), igen = try table("igen", recordSize: 4)
        let shdr = try table("shdr", recordSize: 46)
        guard phdr.count >= 2 else { throw fail(phdr.offset, "no presets") }

        // 4. Samples headers (the last is the terminal 'EOS').
        var samples: [SoundFontSample] = []
        for k in 0..<(shdr.count - 1) {
            let o = shdr.offset + 46 * k
            var s = SoundFontSample(name: name(o), start: u32(o + 20), end: u32(o + 24),
                                    loopStart: u32(o + 28), loopEnd: u32(o + 32), sampleRate: u32(o + 36),
                                    originalPitch: u8(o + 40), pitchCorrectionCents: Int(Int8(bitPattern: UInt8(u8(o + 41)))),
                                    type: u16(o + 44))
            let isROM = s.type & 0x8000 != 0
            if !isROM {
                guard s.start <= s.end && s.end <= sampleData.count else {
                    throw fail(o + 20, "sample '\(escapedForDisplay(s.name))' spans \(s.start)..<\(s.end) outside the \(sampleData.count)-sample pool")
                }
            }
            // Loops outside the sample are common in sloppy fonts: clamp rather than reject.
            s.loopStart = min(max(s.loopStart, s.start), s.end)
            s.loopEnd = min(max(s.loopEnd, s.loopStart), s.end)
            samples.append(s)
        }

        // 5. Zones: bag ranges, then generator and modulator ranges inside each bag.
        func zones(bagRange: Range<Int>, bags: (offset: Int, count: Int), gens: (offset: Int, count: Int),
                   mods: (offset: Int, count: Int), linkGenerator: Int, linkLimit: Int, kind: String) throws -> (SoundFontZone?, [SoundFontZone]) {
            var global: SoundFontZone?
            var out: [SoundFontZone] = []
            for b in bagRange {
                let o = bags.offset + 4 * b
                let g0 = u16(o), g1 = u16(o + 4), m0 = u16(o + 2), m1 = u16(o + 6)
                guard g0 <= g1 && g1 <= gens.count - 1 else { throw fail(o, "\(kind) bag \(b) has generator range \(g0)..<\(g1) outside 0..<\(gens.count - 1)") }
                guard m0 <= m1 && m1 <= mods.count - 1 else { throw fail(o, "\(kind) bag \(b) has modulator range \(m0)..<\(m1) outside 0..<\(mods.count - 1)") }
                var zone = SoundFontZone(generators: [], modulators: [], link: nil)
                for g in g0..<g1 {
                    let go = gens.offset + 4 * g
                    let number = u16(go), amount = i16(go + 2)
                    if number == linkGenerator {
                        let index = Int(UInt16(bitPattern: amount))
                        guard index < linkLimit else { throw fail(go, "\(kind) zone points at \(index), but there are only \(linkLimit)") }
                        zone.link = index
                        break  // the link generator is the zone's last (spec 7.5 / 7.9)
                    }
                    if number < SFGenerator.count { zone.generators.append((number, amount)) }
                }
                for m in m0..<m1 {
                    let mo = mods.offset + 10 * m
                    zone.modulators.append(SoundFontModulator(source: UInt16(u16(mo)), destination: UInt16(u16(mo + 2)),
                                                              amount: i16(mo + 4), amountSource: UInt16(u16(mo + 6)),
                                                              transform: UInt16(u16(mo + 8))))
                }
                if zone.link != nil { out.append(zone) } else if b == bagRange.lowerBound { global = zone }
                // Any other zone without a link is ignored (spec).
            }
            return (global, out)
        }

        var instruments: [SoundFontInstrumentDefinition] = []
        for k in 0..<(inst.count - 1) {
            let o = inst.offset + 22 * k
            let b0 = u16(o + 20), b1 = u16(o + 22 + 20)
            guard b0 <= b1 && b1 <= ibag.count - 1 else { throw fail(o + 20, "instrument \(k) has bag range \(b0)..<\(b1) outside 0..<\(ibag.count - 1)") }
            let (global, zs) = try zones(bagRange: b0..<b1, bags: ibag, gens: igen, mods: imod,
                                         linkGenerator: SFGenerator.sampleID, linkLimit: samples.count, kind: "instrument")
            instruments.append(SoundFontInstrumentDefinition(name: name(o), globalZone: global, zones: zs))
        }

        var presets: [SoundFontPreset] = []
        for k in 0..<(phdr.count - 1) {
            let o = phdr.offset + 38 * k
            let b0 = u16(o + 24), b1 = u16(o + 38 + 24)
            guard b0 <= b1 && b1 <= pbag.count - 1 else { throw fail(o + 24, "preset \(k) has bag range \(b0)..<\(b1) outside 0..<\(pbag.count - 1)") }
            let (global, zs) = try zones(bagRange: b0..<b1, bags: pbag, gens: pgen, mods: pmod,
                                         linkGenerator: SFGenerator.instrument, linkLimit: instruments.count, kind: "preset")
            presets.append(SoundFontPreset(name: name(o), program: u16(o + 20), bank: u16(o + 22), globalZone: global, zones: zs))
        }
        return SoundFont(name: fontName, presets: presets, instruments: instruments, samples: samples, sampleData: sampleData)
    }
}
