// Shared helpers for the MIDI tests: where the committed fixture files are, the facts
// mido reports about them (see Tests/Fixtures/README.md), and a small byte builder for
// the edge-case files the tests write themselves.
import Foundation
import TestSupport
@testable import MIDI

enum Fixture: String, CaseIterable, Sendable {
    case chopin = "chpn-p7.mid"
    case schumann = "scn15_13.mid"
    case borodin = "bor_ps5.mid"
    case clementi = "clementi_opus36_3_2.mid"
    case debussy = "debussy_cc_5.mid"
    case mendelssohn = "mendel_op19_6.mid"
    case bachPerformance = "asap_prelude_bwv_866_SOLOM02.mid"
    case schumannPerformance = "asap_kreisleriana_6_ParkJH09.mid"

    static let directory = Fixtures.directory

    var url: URL { Fixture.directory.appendingPathComponent(rawValue) }
    var bytes: [UInt8] { [UInt8](try! Data(contentsOf: url)) }
    func read() throws -> MIDIFile { try MIDIFile(contentsOf: url) }

    /// What mido 1.3 reports: format, ticks per quarter, events per track (with
    /// end-of-track), notes (note-on, velocity > 0), length in seconds, lowest and highest key.
    struct Facts: Sendable {
        var format: Int, ticksPerQuarter: Int, eventsPerTrack: [Int], notes: Int, seconds: Double, lowest: Int, highest: Int
    }

    var facts: Facts {
        switch self {
        case .chopin: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [49, 210, 174, 2, 2, 2, 2, 4, 4], notes: 167, seconds: 37.028, lowest: 33, highest: 85)
        case .schumann: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [226, 308, 277, 2, 2, 2, 2], notes: 237, seconds: 80.770, lowest: 31, highest: 91)
        case .borodin: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [193, 419, 347, 3, 3, 3, 3, 3, 2], notes: 327, seconds: 99.475, lowest: 32, highest: 80)
        case .clementi: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [136, 311, 243, 15] + Array(repeating: 2, count: 13), notes: 274, seconds: 87.826, lowest: 48, highest: 86)
        case .debussy: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [144, 423, 255, 152] + Array(repeating: 2, count: 13), notes: 336, seconds: 133.750, lowest: 28, highest: 88)
        case .mendelssohn: return Facts(format: 1, ticksPerQuarter: 480, eventsPerTrack: [263, 567, 619, 161] + Array(repeating: 2, count: 13), notes: 590, seconds: 161.311, lowest: 29, highest: 86)
        case .bachPerformance: return Facts(format: 0, ticksPerQuarter: 480, eventsPerTrack: [1986], notes: 638, seconds: 71.061, lowest: 36, highest: 84)
        case .schumannPerformance: return Facts(format: 0, ticksPerQuarter: 384, eventsPerTrack: [3493], notes: 712, seconds: 240.832, lowest: 26, highest: 79)
        }
    }
}

extension MIDIFile {
    /// Every note-on with velocity > 0 (the reader already turned velocity 0 into note-off).
    var noteOnCount: Int {
        tracks.reduce(0) { sum, track in
            sum + track.events.filter { if case .channel(.noteOn) = $0.event { return true } else { return false } }.count
        }
    }
}

/// Builds SMF bytes by hand, so each test shows exactly what the file holds.
struct SMFBytes {
    var bytes: [UInt8] = []

    static func header(format: Int, tracks: Int, division: [UInt8] = [0x01, 0xE0]) -> SMFBytes {
        var b = SMFBytes()
        b.bytes = Array("MThd".utf8) + [0, 0, 0, 6, 0, UInt8(format), 0, UInt8(tracks)] + division
        return b
    }

    /// Appends a chunk; `length` overrides the true length (to write a lying one).
    mutating func chunk(_ type: String, _ data: [UInt8], length: UInt32? = nil) {
        let n = length ?? UInt32(data.count)
        bytes += Array(type.utf8) + [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + data
    }

    mutating func track(_ data: [UInt8]) { chunk("MTrk", data) }
}


