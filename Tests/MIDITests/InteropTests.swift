// Interop: files Cadenza writes are read back by mido and pretty_midi (from the
// repository's .venv, made by scripts/test-setup.sh) with the same notes, times and
// tempos. Skipped, with the reason shown, when that environment is missing.
import Foundation
import Testing
import TestSupport
@testable import MIDI

enum PythonMIDI {
    static let repository = Fixtures.repository
    static let python = repository.appendingPathComponent(".venv/bin/python")

    static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return false }
        return (try? run(script: "import mido, pretty_midi", arguments: [])) != nil
    }()

    /// Runs a Python script with the venv's interpreter; returns stdout, throws on failure.
    static func run(script: String, arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: String(decoding: errors, as: UTF8.self)])
        }
        return data
    }
}

/// For each path: mido's messages with absolute ticks per track, and (unless --mido-only)
/// pretty_midi's notes and tempo changes. One interpreter start for many files.
private let dumpScript = #"""
import json, sys
import mido
paths = [p for p in sys.argv[1:] if p != "--mido-only"]
with_pretty = "--mido-only" not in sys.argv
if with_pretty:
    import pretty_midi
out = []
for path in paths:
    m = mido.MidiFile(path)
    tracks = []
    for t in m.tracks:
        tick, rows = 0, []
        for msg in t:
            tick += msg.time
            d = msg.dict(); d.pop("time", None)
            if d["type"] == "note_on" and d["velocity"] == 0:
                d["type"] = "note_off"
            rows.append([tick, d])
        tracks.append(rows)
    entry = {"type": m.type, "tpq": m.ticks_per_beat, "length": m.length, "tracks": tracks,
             "notes": [], "tempo_times": [], "tempi": []}
    if with_pretty:
        pm = pretty_midi.PrettyMIDI(path)
        entry["notes"] = sorted([n.start, n.end, n.pitch, n.velocity] for i in pm.instruments for n in i.notes)
        times, tempi = pm.get_tempo_changes()
        entry["tempo_times"], entry["tempi"] = list(times), list(tempi)
    out.append(entry)
print(json.dumps(out))
"""#

@Suite(.enabled(if: PythonMIDI.isAvailable, "needs .venv with mido and pretty_midi: run scripts/test-setup.sh"))
struct InteropTests {
    struct Dump: Decodable {
        var type: Int, tpq: Int, length: Double
        var notes: [[Double]]
        var tempo_times: [Double], tempi: [Double]
    }

    /// Runs the dump script on files (paths as given); returns one (summary, tracks) per file.
    func dump(paths: [String], midoOnly: Bool = false) throws -> [(Dump, [[Any]])] {
        let data = try PythonMIDI.run(script: dumpScript, arguments: paths + (midoOnly ? ["--mido-only"] : []))
        let objects = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        let dumps = try JSONDecoder().decode([Dump].self, from: data)
        return zip(dumps, objects).map { ($0, $1["tracks"] as! [[Any]]) }
    }

    /// Writes files with Cadenza into a temporary folder and dumps them.
    func dump(_ files: [MIDIFile], midoOnly: Bool = false) throws -> [(Dump, [[Any]])] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (i, file) in files.enumerated() {
            let url = directory.appendingPathComponent("\(i).mid")
            try file.write(to: url)
            paths.append(url.path)
        }
        return try dump(paths: paths, midoOnly: midoOnly)
    }

    /// Notes as Cadenza sees them: (start s, end s, pitch, velocity), pairing each note-off
    /// with the earliest open note of its key.
    func notes(_ file: MIDIFile) -> [[Double]] {
        let map = file.tempoMap()
        var open: [Int: [(Int, Int)]] = [:], result: [[Double]] = []
        for track in file.tracks {
            for e in track.events {
                switch e.event {
                case .channel(.noteOn(let c, let k, let v)): open[Int(c) * 128 + Int(k), default: []].append((e.ticks, Int(v)))
                case .channel(.noteOff(let c, let k, _)):
                    if var list = open[Int(c) * 128 + Int(k)], !list.isEmpty {
                        let (start, velocity) = list.removeFirst()
                        open[Int(c) * 128 + Int(k)] = list
                        result.append([map.seconds(atTicks: start), map.seconds(atTicks: e.ticks), Double(k), Double(velocity)])
                    }
                default: break
                }
            }
        }
        return result.sorted { $0.lexicographicallyPrecedes($1) }
    }

    @Test func aFileBuiltByCadenzaReadsTheSameInMidoAndPrettyMidi() throws {
        var rng = TestRandom(seed: 2024)
        var right: [TimedEvent] = [], left: [TimedEvent] = []
        for i in 0..<64 {  // non-overlapping notes per hand, some chords
            let onset = i * 240
            for (pitch, events) in [(60 + Int.random(in: 0...24, using: &rng), 0), (36 + Int.random(in: 0...20, using: &rng), 1)] {
                let on = TimedEvent(ticks: onset, event: .channel(.noteOn(channel: 0, key: UInt8(pitch), velocity: UInt8.random(in: 20...120, using: &rng))))
                let off = TimedEvent(ticks: onset + Int.random(in: 30...240, using: &rng), event: .channel(.noteOff(channel: 0, key: UInt8(pitch), velocity: 0)))
                if events == 0 { right += [on, off] } else { left += [on, off] }
            }
        }
        let file = MIDIFile.format1(title: "Interop", tempoChanges: [TempoChange(ticks: 0, beatsPerMinute: 72), TempoChange(ticks: 3840, microsecondsPerQuarter: 400_000),
                                                                     TempoChange(ticks: 7000, beatsPerMinute: 133)],
                                    timeSignatures: [TimeSignatureChange(ticks: 0, numerator: 3, denominator: 4)],
                                    parts: [MIDIPart(name: "Right", events: right), MIDIPart(name: "Left", events: left)])
        let d = try dump([file])[0].0
        #expect(d.type == 1 && d.tpq == 480)
        let expected = notes(file)
        #expect(d.notes.count == 128 && expected.count == 128)
        for (a, b) in zip(d.notes, expected) {
            #expect(abs(a[0] - b[0]) < 1e-6 && abs(a[1] - b[1]) < 1e-6 && a[2] == b[2] && a[3] == b[3])
        }
        let map = file.tempoMap()
        #expect(d.tempi.count == 3)
        for (i, change) in file.tempoChanges.enumerated() where i < d.tempi.count {
            #expect(abs(d.tempi[i] - 60_000_000.0 / Double(change.microsecondsPerQuarter)) < 1e-9)
            #expect(abs(d.tempo_times[i] - map.seconds(atTicks: change.ticks)) < 1e-6)
        }
        #expect(abs(d.length - file.durationSeconds) < 1e-6)
    }

    @Test func rewrittenFixturesGiveMidoTheSameMessagesAtTheSameTicks() throws {
        let fixtures = Fixture.allCases
        let rewritten = try dump(try fixtures.map { try $0.read() }, midoOnly: true)
        let sources = try dump(paths: fixtures.map(\.url.path), midoOnly: true)
        // Message by message, as JSON text (mido's dicts hold strings, numbers and lists).
        func text(_ tracks: [[Any]]) throws -> [String] {
            try tracks.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        }
        for (i, fixture) in fixtures.enumerated() {
            let (a, aTracks) = rewritten[i], (b, bTracks) = sources[i]
            #expect(a.type == b.type && a.tpq == b.tpq, "\(fixture)")
            #expect(abs(a.length - b.length) < 1e-9, "\(fixture)")
            #expect(try text(aTracks) == text(bTracks), "\(fixture)")
        }
    }
}
