// Builds small SoundFont 2 files byte by byte for the tests: two looped sine samples
// (441 Hz and 882 Hz, root key A4 with -4 cents correction, so they sound at 440/880 Hz),
// one instrument with a key split at 60, one preset "Tiny Piano" (bank 0, program 0).
import Foundation

struct TinySoundFont {
    var attenuationCentibels: Int16 = 0
    var pan: Int16 = 0
    var releaseTimecents: Int16 = -5186        // 50 ms
    var sampleModes: Int16 = 1                  // continuous loop
    var amplitude = 16_000.0                    // 0: a degenerate font of silent samples
    /// More generators (number, amount) for the global instrument zone, and for the zone below key 60.
    var globalGenerators: [(Int, Int)] = []
    var lowZoneGenerators: [(Int, Int)] = []

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8((v >> 24) & 0xFF)] }
    static func name(_ s: String, _ length: Int = 20) -> [UInt8] {
        Array((Array(s.utf8) + [UInt8](repeating: 0, count: length)).prefix(length))
    }
    static func chunk(_ id: String, _ payload: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le32(payload.count) + payload + (payload.count % 2 == 1 ? [0] : [])
    }
    static func list(_ type: String, _ chunks: [UInt8]) -> [UInt8] { chunk("LIST", Array(type.utf8) + chunks) }
    static func generator(_ number: Int, _ amount: Int) -> [UInt8] { le16(number) + le16(amount & 0xFFFF) }
    static func range(_ number: Int, _ lo: Int, _ hi: Int) -> [UInt8] { le16(number) + [UInt8(lo), UInt8(hi)] }

    /// Offsets of interesting fields, for the corruption tests.
    struct Layout { var pbagOffset = 0; var shdrOffset = 0; var smplSizeOffset = 0 }

    func bytes() -> [UInt8] { build().bytes }

    func build() -> (bytes: [UInt8], layout: Layout) {
        // Samples: 1000 frames each, followed by 46 zero frames (the spec's guard points).
        var smpl: [UInt8] = []
        var sampleStarts: [Int] = []
        for hz in [441.0, 882.0] {
            sampleStarts.append(smpl.count / 2)
            for i in 0..<1000 {
                smpl += Self.le16(Int((sin(2 * Double.pi * hz * Double(i) / 44_100) * amplitude).rounded()))
            }
            smpl += [UInt8](repeating: 0, count: 92)
        }
        let info = Self.list("INFO", Self.chunk("ifil", Self.le16(2) + Self.le16(1)) + Self.chunk("INAM", Self.name("Tiny Test Font", 16)))
        let sdta = Self.list("sdta", Self.chunk("smpl", smpl))

        // Preset 0: one zone pointing at instrument 0.
        let phdr = Self.name("Tiny Piano") + Self.le16(0) + Self.le16(0) + Self.le16(0) + Self.le32(0) + Self.le32(0) + Self.le32(0)
            + Self.name("EOP") + Self.le16(0) + Self.le16(0) + Self.le16(1) + Self.le32(0) + Self.le32(0) + Self.le32(0)
        let pbag = Self.le16(0) + Self.le16(0) + Self.le16(1) + Self.le16(0)
        let pmod = [UInt8](repeating: 0, count: 10)
        let pgen = Self.generator(41, 0) + Self.generator(0, 0)
        // Instrument 0: a global zone (release, modes, attenuation, pan), then two split zones.
        let inst = Self.name("Tiny Sine") + Self.le16(0) + Self.name("EOI") + Self.le16(3)
        let g = globalGenerators.count, low = lowZoneGenerators.count
        let ibag = Self.le16(0) + Self.le16(0) + Self.le16(4 + g) + Self.le16(0) + Self.le16(6 + g + low) + Self.le16(0)
            + Self.le16(8 + g + low) + Self.le16(0)
        let imod = [UInt8](repeating: 0, count: 10)
        let igen = Self.generator(38, Int(releaseTimecents)) + Self.generator(54, Int(sampleModes))
            + Self.generator(48, Int(attenuationCentibels)) + Self.generator(17, Int(pan))
            + globalGenerators.flatMap { Self.generator($0.0, $0.1) }
            + Self.range(43, 0, 59) + lowZoneGenerators.flatMap { Self.generator($0.0, $0.1) } + Self.generator(53, 0)
            + Self.range(43, 60, 127) + Self.generator(53, 1)
            + Self.generator(0, 0)
        var shdr: [UInt8] = []
        for (k, start) in sampleStarts.enumerated() {
            shdr += Self.name("sine\(k)") + Self.le32(start) + Self.le32(start + 1000) + Self.le32(start + 200) + Self.le32(start + 1000)
                + Self.le32(44_100) + [69, UInt8(bitPattern: -4)] + Self.le16(0) + Self.le16(1)
        }
        shdr += Self.name("EOS") + [UInt8](repeating: 0, count: 26)
        let pdtaBody = Self.chunk("phdr", phdr) + Self.chunk("pbag", pbag) + Self.chunk("pmod", pmod) + Self.chunk("pgen", pgen)
            + Self.chunk("inst", inst) + Self.chunk("ibag", ibag) + Self.chunk("imod", imod) + Self.chunk("igen", igen)
            + Self.chunk("shdr", shdr)
        let pdta = Self.list("pdta", pdtaBody)
        let body = Array("sfbk".utf8) + info + sdta + pdta
        let file = Array("RIFF".utf8) + Self.le32(body.count) + body

        var layout = Layout()
        let pdtaStart = 12 + info.count + sdta.count + 12
        layout.pbagOffset = pdtaStart + 8 + phdr.count + 8
        layout.shdrOffset = pdtaStart + Self.chunk("phdr", phdr).count + Self.chunk("pbag", pbag).count + Self.chunk("pmod", pmod).count
            + Self.chunk("pgen", pgen).count + Self.chunk("inst", inst).count + Self.chunk("ibag", ibag).count
            + Self.chunk("imod", imod).count + Self.chunk("igen", igen).count + 8
        layout.smplSizeOffset = 12 + info.count + 12 + 4
        return (file, layout)
    }
}

extension TinySoundFont {
    /// A font whose one preset has `presetZones` zones, each pointing at one instrument of
    /// `instrumentZones` zones: presetZones x instrumentZones regions from a few bytes each.
    static func manyZones(presetZones: Int, instrumentZones: Int) -> [UInt8] {
        var smpl: [UInt8] = []
        for i in 0..<1046 { smpl += le16(i < 1000 ? Int((sin(Double(i) * 0.06) * 8000).rounded()) : 0) }
        let info = list("INFO", chunk("ifil", le16(2) + le16(1)))
        let sdta = list("sdta", chunk("smpl", smpl))
        let phdr = name("Many") + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + le32(0)
            + name("EOP") + le16(0) + le16(0) + le16(presetZones) + le32(0) + le32(0) + le32(0)
        let pbag = (0...presetZones).flatMap { le16($0) + le16(0) }
        let pgen = (0..<presetZones).flatMap { _ in generator(41, 0) } + generator(0, 0)
        let inst = name("Layers") + le16(0) + name("EOI") + le16(instrumentZones)
        let ibag = (0...instrumentZones).flatMap { le16($0) + le16(0) }
        let igen = (0..<instrumentZones).flatMap { _ in generator(53, 0) } + generator(0, 0)
        let shdr = name("s") + le32(0) + le32(1000) + le32(200) + le32(1000) + le32(44_100) + [60, 0] + le16(0) + le16(1)
            + name("EOS") + [UInt8](repeating: 0, count: 26)
        let pdta = list("pdta", chunk("phdr", phdr) + chunk("pbag", pbag) + chunk("pmod", [UInt8](repeating: 0, count: 10))
            + chunk("pgen", pgen) + chunk("inst", inst) + chunk("ibag", ibag) + chunk("imod", [UInt8](repeating: 0, count: 10))
            + chunk("igen", igen) + chunk("shdr", shdr))
        let body = Array("sfbk".utf8) + info + sdta + pdta
        return Array("RIFF".utf8) + le32(body.count) + body
    }
}
