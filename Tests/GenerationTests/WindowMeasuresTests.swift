// The window measures and the discriminator (ports of tools/music_eval.py): hand-built
// pieces with known answers, the fixture files against numbers music_eval.py printed for
// them, hostile files, and an opt-in cross-check that prints the summaries of two folders.
import Foundation
import MIDI
import Testing
@testable import Generation

@Suite struct WindowMeasuresTests {
    // MARK: hand-built pieces

    @Test func aCMajorScaleIsInKeyStepwiseAndOnTheGrid() throws {
        // 16 bars of eighth notes up and down C major at 120 BPM: 8 notes per 2-second bar.
        let scale = [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62]
        let notes = (0..<128).map { i in Note(scale[i % scale.count], at: i * 240, length: 240) }
        let piece = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes)))
        #expect(piece.windows.count == 4)
        for w in piece.windows {
            #expect(w.inKey == 1.0 && w.stepShare == 1.0 && w.onEighthGrid == 1.0)
            #expect(w.key == WindowKey(tonic: 0, isMinor: false))
            #expect(abs(w.notesPerSecond - 4.0) < 1e-9)
            #expect(w.polyphony == 1.0)  // a note ending at an onset no longer sounds there
            #expect(w.tempoSpread < 1e-12 && w.velocitySD < 1e-12)
        }
        #expect(piece.keyStability == 1.0)
    }

    @Test func aChordOfFourHeldNotesHasPolyphonyFour() throws {
        let notes = (0..<16).flatMap { bar in [60, 64, 67, 71].map { Note($0, at: bar * 1920, length: 1920) } }
        let piece = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes)))
        #expect(piece.windows.map(\.polyphony) == [4, 4, 4, 4])
        #expect(piece.windows.map(\.barRhythmRepeats) == [1, 1, 1, 1])
        #expect(piece.windows.allSatisfy { $0.pitchRange == 11 && $0.stepShare == 1 })
    }

    @Test func aTempoChangeSpreadsTheTempoOfItsWindow() throws {
        // Eighth notes; 120 BPM for bars 1-2, 60 BPM from bar 3: window 1 has 16 onsets at
        // each tempo (log2 BPM 1 apart, so a spread of 0.5), the others one tempo.
        let notes = (0..<128).map { Note(60 + $0 % 8, at: $0 * 240, length: 240) }
        let piece = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes, tempi: [(0, 120), (2 * 1920, 60)])))
        #expect(abs(piece.windows[0].tempoSpread - 0.5) < 1e-12)
        #expect(piece.windows.dropFirst().allSatisfy { $0.tempoSpread < 1e-12 })
        // 32 notes over 2 bars of 2 s and 2 bars of 4 s.
        #expect(abs(piece.windows[0].notesPerSecond - 32.0 / 12) < 1e-9)
        #expect(abs(piece.windows[1].notesPerSecond - 32.0 / 16) < 1e-9)
    }

    @Test func thePedalLengthensNotesButNotPastTheNextSamePitch() throws {
        // Staccato arpeggio C E G C' on the beats, pedal down for each bar: folded, the notes
        // sound to the bar's end, so 1, 2, 3, 4 notes sound at the onsets.
        let arpeggio = [60, 64, 67, 72]
        let notes = (0..<64).map { Note(arpeggio[$0 % 4], at: $0 * 480, length: 48) }
        let pedal = (0..<16).flatMap { [($0 * 1920 + 10, true), ($0 * 1920 + 1900, false)] }
        let folded = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes, pedal: pedal)))
        #expect(folded.windows.allSatisfy { $0.polyphony == 2.5 })
        let dry = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes)))
        #expect(dry.windows.allSatisfy { $0.polyphony == 1 })
        // Repeated C4 under the pedal: each note stops at the next one's onset.
        let repeated = (0..<64).map { Note(60, at: $0 * 480, length: 48) }
        let held = try #require(WindowMeasures.pieceWindows(midi: Self.midi(repeated, pedal: pedal)))
        #expect(held.windows.allSatisfy { $0.polyphony == 1 })
    }

    @Test func barsFollowTheTimeSignatureAndSkipLeadingSilence() throws {
        // 3/4 at 120 BPM: 16 bars of three quarters (1.5 s a bar).
        let notes = (0..<48).map { Note(60 + $0 % 5, at: $0 * 480, length: 480) }
        let piece = try #require(WindowMeasures.pieceWindows(midi: Self.midi(notes, timeSignatures: [(0, 3, 4)])))
        #expect(piece.windows.count == 4)  // in 4/4 the 48 beats would be 12 bars: 3 windows
        #expect(piece.windows.allSatisfy { $0.barRhythmRepeats == 1 && abs($0.notesPerSecond - 2) < 1e-9 })
        // After two empty bars the windows start at the first note; read as 4/4 the first
        // window would start half a bar early (1.75 notes/s, 3 of 4 bars alike). As in the
        // Python, the bar lines are counted from the file's start, so the last window is lost.
        let late = notes.map { Note($0.pitch, at: $0.at + 6 * 480, length: $0.length) }
        let skipped = try #require(WindowMeasures.pieceWindows(midi: Self.midi(late, timeSignatures: [(0, 3, 4)])))
        #expect(skipped.windows.count == 3)
        #expect(skipped.windows.allSatisfy { $0.barRhythmRepeats == 1 && abs($0.notesPerSecond - 2) < 1e-9 })
        let as44 = try #require(WindowMeasures.pieceWindows(midi: Self.midi(late)))
        #expect(abs(as44.windows[0].notesPerSecond - 1.75) < 1e-9 && as44.windows[0].barRhythmRepeats == 0.75)
        // Too few notes, or not one full window: no windows.
        #expect(WindowMeasures.pieceWindows(midi: Self.midi(Array(notes.prefix(7)))) == nil)
        #expect(WindowMeasures.pieceWindows(midi: Self.midi(notes), bars: 2, window: 4) == nil)
    }

    @Test func hostileFilesGiveNoWindowsQuickly() throws {
        let scale = (0..<16).map { Note(60 + $0, at: $0 * 480, length: 480) }
        // A note 2^28 bars late (pretty_midi rejects files past 10^7 ticks, and so do we).
        let late = Self.midi(scale + [Note(60, at: (1 << 28) * 1920, length: 480)])
        #expect(WindowMeasures.pieceWindows(midi: late) == nil)
        // Just under the tick limit at 1 tick per quarter: 10^7 beats, over the beat cap.
        var slow = Self.midi((0..<16).map { Note(60 + $0, at: $0, length: 1) } + [Note(60, at: 9_999_000, length: 1)])
        slow.division = .ticksPerQuarter(1)
        #expect(WindowMeasures.pieceWindows(midi: slow) == nil)
        // A zero tempo and SMPTE timing.
        #expect(WindowMeasures.pieceWindows(midi: Self.midi(scale, tempi: [(0, 0)])) == nil)
        var smpte = Self.midi(scale)
        smpte.division = .smpte(framesPerSecond: 25, ticksPerFrame: 40)
        #expect(WindowMeasures.pieceWindows(midi: smpte) == nil)
    }

    // MARK: real data

    /// First-window measures and window keys music_eval.py printed for the fixtures.
    static let pythonFirstWindows: [String: (features: [Double], keys: [WindowKey])] = [
        "chpn-p7.mid": ([0.947368, 4.823304, 3.5, 41, 0.545455, 0.833333, 0, 0.042618, 10.334603, 66.315789],
                        [.init(tonic: 6, isMinor: true), .init(tonic: 6, isMinor: true), .init(tonic: 6, isMinor: true), .init(tonic: 6, isMinor: true)]),
        "debussy_cc_5.mid": ([0.85, 1.229925, 1.05, 12, 0.684211, 0.55, 0, 0.322087, 5.540758, 76.2],
                             [.init(tonic: 6, isMinor: true), .init(tonic: 2, isMinor: false), .init(tonic: 6, isMinor: true), .init(tonic: 1, isMinor: true)]),
        "clementi_opus36_3_2.mid": ([1, 2.801068, 2.136364, 22, 0.285714, 1, 0.5, 0.026415, 10.350309, 64.6],
                                    [.init(tonic: 4, isMinor: true), .init(tonic: 4, isMinor: true), .init(tonic: 4, isMinor: true), .init(tonic: 4, isMinor: true)]),
        "asap_prelude_bwv_866_SOLOM02.mid": ([1, 9.506241, 0.794872, 36, 0.038961, 0.128205, 0, 0, 7.577086, 60.205128],
                                             [.init(tonic: 7, isMinor: true), .init(tonic: 2, isMinor: true), .init(tonic: 2, isMinor: true), .init(tonic: 2, isMinor: true)]),
        "scn15_13.mid": ([0.971429, 3.52528, 4.384615, 27, 0.75, 0.692308, 0, 0.040149, 7.425054, 60.314286],
                         [.init(tonic: 4, isMinor: true), .init(tonic: 0, isMinor: false), .init(tonic: 4, isMinor: true), .init(tonic: 2, isMinor: false)]),
    ]

    @Test func fixturesMatchMusicEvalPy() throws {
        for (name, expected) in Self.pythonFirstWindows {
            let piece = try #require(try WindowMeasures.pieceWindows(contentsOf: TestModels.fixtures.appendingPathComponent(name)))
            #expect(piece.windows.map(\.key) == expected.keys, "\(name)")
            for (i, (got, want)) in zip(piece.windows[0].features, expected.features).enumerated() {
                #expect(abs(got - want) < 2e-6, "\(name) \(WindowMeasures.featureNames[i]): \(got) vs \(want)")
            }
        }
        // The whole fixture folder, against music_eval.py's summary of it.
        let summary = WindowSummary(pieces: WindowMeasures.collect(folder: TestModels.fixtures))
        #expect(summary.pieces == 8 && summary.windows == 32)
        #expect(abs((summary.keyStability ?? 0) - 0.7083333333333333) < 1e-12)
        #expect(abs(summary["in_key"]! - 0.9404220826147931) < 1e-9)
        #expect(abs(summary["polyphony"]! - 3.1184871247899326) < 1e-9)
        #expect(abs(summary["tempo_spread"]! - 0.10781102637298423) < 1e-9)
        #expect(abs(summary["on_eighth_grid"]! - 0.5138201231658481) < 1e-9)
    }

    // MARK: discriminator

    @Test func theDiscriminatorCannotTellASetFromItself() {
        let pieces = WindowMeasures.collect(folder: TestModels.fixtures)
        let accuracy = discriminatorAccuracy(generated: pieces, human: pieces)
        #expect(accuracy <= 0.55)
        #expect(accuracy == discriminatorAccuracy(generated: pieces, human: pieces))  // seeded: repeatable
        #expect(discriminatorAccuracy(generated: [], human: pieces).isNaN)
    }

    @Test func theDiscriminatorTellsRandomAtonalNotesFromScales() throws {
        var rng = SeededGenerator(seed: 11)
        var atonal: [PieceWindows] = [], scales: [PieceWindows] = []
        let major = [0, 2, 4, 5, 7, 9, 11]
        for p in 0..<12 {
            let random = (0..<96).map { _ in
                Note(30 + rng.nextInt(below: 70), at: rng.nextInt(below: 16 * 1920), length: 30 + rng.nextInt(below: 900),
                     velocity: 20 + rng.nextInt(below: 100))
            }
            atonal.append(try #require(WindowMeasures.pieceWindows(midi: Self.midi(random), name: "atonal \(p)")))
            let tonic = 55 + p % 7
            let run = (0..<128).map { i in Note(tonic + major[i % 7] + 12 * ((i / 7) % 2), at: i * 240, length: 240, velocity: 60 + p) }
            scales.append(try #require(WindowMeasures.pieceWindows(midi: Self.midi(run), name: "scale \(p)")))
        }
        #expect(discriminatorAccuracy(generated: atonal, human: scales) > 0.9)
        #expect(discriminatorAccuracy(generated: atonal, human: scales, seed: 5) > 0.9)
    }

    // MARK: cross-check with music_eval.py (opt-in)

    /// CADENZA_EVAL_DIRS="GEN_DIR:HUMAN_DIR" prints both summaries and the discriminator as
    /// JSON lines, to compare with `music_eval.py GEN_DIR HUMAN_DIR --json`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CADENZA_EVAL_DIRS"] != nil))
    func printSummariesForCrossCheck() throws {
        let dirs = ProcessInfo.processInfo.environment["CADENZA_EVAL_DIRS"]!.split(separator: ":").map(String.init)
        try #require(dirs.count == 2)
        let generated = WindowMeasures.collect(folder: URL(fileURLWithPath: dirs[0]))
        let human = WindowMeasures.collect(folder: URL(fileURLWithPath: dirs[1]))
        for (label, pieces) in [("generated", generated), ("human", human)] {
            let fields = WindowSummary(pieces: pieces).dictionary.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }
            print("CROSSCHECK {\"\(label)\": {\(fields.joined(separator: ", "))}}")
        }
        print("CROSSCHECK {\"discriminator_accuracy\": \(discriminatorAccuracy(generated: generated, human: human))}")
    }

    // MARK: building files

    struct Note {
        var pitch: Int, at: Int, length: Int, velocity: Int
        init(_ pitch: Int, at: Int, length: Int, velocity: Int = 80) {
            self.pitch = pitch; self.at = at; self.length = length; self.velocity = velocity
        }
    }

    /// A format 1 file at 480 ticks per quarter: conductor track, then one piano track.
    static func midi(_ notes: [Note], tempi: [(ticks: Int, bpm: Double)] = [], timeSignatures: [(ticks: Int, n: Int, d: Int)] = [],
                     pedal: [(ticks: Int, down: Bool)] = []) -> MIDIFile {
        var conductor = timeSignatures.map {
            TimedEvent(ticks: $0.ticks, event: .meta(.timeSignature(numerator: $0.n, denominator: $0.d, clocksPerClick: 24, thirtySecondsPerQuarter: 8)))
        }
        conductor += tempi.map {
            TimedEvent(ticks: $0.ticks, event: .meta(.tempo(microsecondsPerQuarter: $0.bpm > 0 ? Int(60_000_000 / $0.bpm) : 0)))
        }
        conductor.sort { $0.ticks < $1.ticks }
        var events: [(rank: Int, event: TimedEvent)] = []
        for n in notes {
            events.append((2, TimedEvent(ticks: n.at, event: .channel(.noteOn(channel: 0, key: UInt8(n.pitch), velocity: UInt8(n.velocity))))))
            events.append((0, TimedEvent(ticks: n.at + n.length, event: .channel(.noteOff(channel: 0, key: UInt8(n.pitch), velocity: 0)))))
        }
        for p in pedal {
            events.append((1, TimedEvent(ticks: p.ticks, event: .channel(.controlChange(channel: 0, controller: 64, value: p.down ? 127 : 0)))))
        }
        events.sort { ($0.event.ticks, $0.rank) < ($1.event.ticks, $1.rank) }
        let end = max(conductor.last?.ticks ?? 0, events.last?.event.ticks ?? 0)
        return MIDIFile(format: 1, division: .ticksPerQuarter(480), tracks: [
            MIDITrack(events: conductor + [TimedEvent(ticks: end, event: .meta(.endOfTrack))]),
            MIDITrack(events: events.map(\.event) + [TimedEvent(ticks: end, event: .meta(.endOfTrack))]),
        ])
    }
}
