// Files whose few bytes stand for a huge piece (issue 13): a note 2^28 bars late, more
// notes or events than PieceLimits allow. Each is refused while reading, with a message
// naming the size and the limit, before anything grows with the size. Also the bar
// count these checks use, which must agree with the bar list it stands in for.
import Foundation
import Testing
@testable import MIDI

@Suite struct HostileSizeTests {
    /// A 66-byte file at 1 tick per quarter whose one note starts 2^28 bars (2^30 ticks) in.
    static var lateNote: [UInt8] {
        var data: [UInt8] = []
        var left = 1 << 30
        while left > 0 {  // empty text events carry the largest deltas
            let delta = min(left, VariableLengthQuantity.maximum)
            VariableLengthQuantity.append(delta, to: &data)
            data += [0xFF, 0x01, 0x00]
            left -= delta
        }
        data += [0x00, 0x90, 0x3C, 0x40, 0x01, 0x80, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00]
        var file = SMFBytes.header(format: 0, tracks: 1, division: [0x00, 0x01])
        file.track(data)
        return file.bytes
    }

    @Test func aNoteTwoToThe28BarsLateIsRefusedWhileReading() {
        #expect(Self.lateNote.count < 106)
        #expect(throws: MIDIError.tooLarge(file: "late.mid", size: "the piece is 268435457 bars long", limit: "100000 bars")) {
            try MIDIFile(bytes: Self.lateNote, fileName: "late.mid")
        }
        #expect(MIDIError.tooLarge(file: "late.mid", size: "the piece is 268435457 bars long", limit: "100000 bars").description
            == "late.mid: the piece is 268435457 bars long; Cadenza handles at most 100000 bars")
    }

    @Test func theBarLimitCountsInTheScoresTimeBase() throws {
        // 100,000 bars of 4/4 at 480 ticks per quarter is the most; one tick more makes one bar more.
        func file(endTicks: Int, division: [UInt8] = [0x01, 0xE0]) -> [UInt8] {
            var data: [UInt8] = []
            var left = endTicks
            while left > 0 {
                let delta = min(left, VariableLengthQuantity.maximum)
                VariableLengthQuantity.append(delta, to: &data)
                data += [0xFF, 0x01, 0x00]
                left -= delta
            }
            data += [0x00, 0xFF, 0x2F, 0x00]
            var f = SMFBytes.header(format: 0, tracks: 1, division: division)
            f.track(data)
            return f.bytes
        }
        #expect(try MIDIFile(bytes: file(endTicks: 100_000 * 1920)).barCount == 100_000)
        #expect(throws: MIDIError.self) { try MIDIFile(bytes: file(endTicks: 100_000 * 1920 + 1)) }
        // SMPTE 24 fps, 1 tick per frame: 24 ticks a second, 2 seconds a bar on the 120 BPM grid.
        let smpte = try MIDIFile(bytes: file(endTicks: 24 * 2 * 1000, division: [0xE8, 0x01]))
        #expect(smpte.barCount == 1000)
        #expect(throws: MIDIError.self) { try MIDIFile(bytes: file(endTicks: 24 * 2 * 100_001, division: [0xE8, 0x01])) }
    }

    /// Long bars are few but long: the tokenizer splits bars over 8 quarters, so the length
    /// in quarter notes is held too. 8/1 bars of 32 quarters: 28,125 bars, 900,000 quarters.
    @Test func longBarsAreHeldToTheQuarterNoteLimit() throws {
        func file(quarters: Int) -> [UInt8] {
            var data: [UInt8] = [0x00, 0xFF, 0x58, 0x04, 0x08, 0x00, 0x18, 0x08]  // 8/1
            VariableLengthQuantity.append(quarters, to: &data)  // 1 tick per quarter
            data += [0xFF, 0x2F, 0x00]
            var f = SMFBytes.header(format: 0, tracks: 1, division: [0x00, 0x01])
            f.track(data)
            return f.bytes
        }
        #expect(try MIDIFile(bytes: file(quarters: 800_000)).quarterNoteCount == 800_000)
        #expect(throws: MIDIError.tooLarge(file: "long.mid", size: "the piece is 900000 quarter notes long", limit: "800000 quarter notes")) {
            try MIDIFile(bytes: file(quarters: 900_000), fileName: "long.mid")
        }
    }

    @Test func moreNotesThanTheLimitAreRefusedAsTheyAreRead() {
        // Running status: 3 bytes a note-on (delta, key, velocity), 3 MB for the limit plus one.
        var data: [UInt8] = [0x00, 0x90, 0x3C, 0x40]
        let count = PieceLimits.maximumNotes
        data.reserveCapacity(3 * count + 8)
        for _ in 0..<count { data += [0x00, 0x3C, 0x40] }
        data += [0x00, 0xFF, 0x2F, 0x00]
        var file = SMFBytes.header(format: 0, tracks: 1)
        file.track(data)
        #expect(throws: MIDIError.tooLarge(file: "many.mid", size: "the piece has more than 1000000 notes", limit: "1000000 notes")) {
            try MIDIFile(bytes: file.bytes, fileName: "many.mid")
        }
    }

    @Test func barCountAgreesWithTheBarList() {
        let cases: [[TimeSignatureChange]] = [
            [],
            [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4)],
            // A change mid-bar starts a new bar there; one on a bar line just changes the length.
            [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4), TimeSignatureChange(ticks: 2000, numerator: 6, denominator: 8),
             TimeSignatureChange(ticks: 2880 * 3, numerator: 2, denominator: 4)],
            // Two changes at one tick (the later wins), and a change past the end.
            [TimeSignatureChange(ticks: 960, numerator: 5, denominator: 4), TimeSignatureChange(ticks: 960, numerator: 7, denominator: 8),
             TimeSignatureChange(ticks: 1_000_000, numerator: 2, denominator: 2)],
        ]
        for changes in cases {
            for end in [0, 1, 479, 1920, 1921, 5000, 10_000, 123_457] {
                let score = PianoScore(ticksPerQuarter: 480, timeSignatures: changes)
                let bars = score.bars(untilTicks: end)
                #expect(score.barCount(untilTicks: end) == bars.count, "end \(end), changes \(changes)")
                #expect(bars.first?.startTicks == 0)
                #expect(zip(bars, bars.dropFirst()).allSatisfy { $0.startTicks < $1.startTicks })
                #expect(bars.allSatisfy { $0.signature == score.timeSignature(atTicks: $0.startTicks) })
                #expect(bars.count == 1 || bars.last!.startTicks < end)
            }
        }
        // The mid-bar change: bars of 3/4 at 0, 1440, then the 6/8 bar at 2000.
        let score = PianoScore(ticksPerQuarter: 480, timeSignatures: cases[2])
        #expect(Array(score.barStartTicks(untilTicks: 6000).prefix(4)) == [0, 1440, 2000, 3440])
    }
}
