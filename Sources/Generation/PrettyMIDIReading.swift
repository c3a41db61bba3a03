// A MIDI file read the way pretty_midi 0.2 (over mido) reads it, reduced to what the window
// measures need, so that they agree with tools/music_eval.py. This differs from
// PianoScore(midi:) on purpose: tempo and time signatures come from track 0 only, notes are
// paired per track and channel, and instruments are (program, channel, track) with their
// own pedal events. Files pretty_midi would reject give nil.
import MIDI

struct PrettyMIDIView {
    struct Note { var velocity: Int; var pitch: Int; var start: Double; var end: Double }

    /// An instrument's control changes and pitch bends. A class because pretty_midi hands the
    /// same list to a "straggler" and to every instrument later made from it.
    final class EventList {
        var pedal: [(time: Double, value: Int)] = []  // CC64 only: what fold_pedal reads
        var lastTime: Double?                          // any CC or bend: what get_end_time reads
        func add(_ time: Double) { lastTime = max(lastTime ?? time, time) }
    }

    struct Instrument { var isDrum: Bool; var notes: [Note] = []; var events: EventList }
    struct TimeSignature { var time: Double; var numerator: Int; var denominator: Int }

    /// pretty_midi's MAX_TICK: larger files are "likely corrupt" and rejected.
    static let maximumTick = 10_000_000

    var instruments: [Instrument] = []
    var tempoTimes: [Double] = []   // get_tempo_changes()
    var tempi: [Double] = []
    var timeSignatures: [TimeSignature] = []
    var endTime = 0.0               // get_end_time()

    init?(midi: MIDIFile) {
        guard case .ticksPerQuarter(let resolution) = midi.division, resolution > 0,
              let track0 = midi.tracks.first else { return nil }
        var maxTick = 0
        for track in midi.tracks { for e in track.events { maxTick = max(maxTick, e.ticks) } }
        guard maxTick < Self.maximumTick else { return nil }  // pretty_midi: max tick + 1 > MAX_TICK raises

        for track in midi.tracks {
            for e in track.events { if case .meta(let m) = e.event, Self.midoRejects(m) { return nil } }
        }
        let conductor: [(ticks: Int, meta: MetaEvent)] = track0.events.compactMap { e in
            if case .meta(let m) = e.event, let m = Self.asMido(m) { return (e.ticks, m) }
            return nil
        }

        // Tick scales from track 0: a tempo at tick 0 replaces the 120 BPM default, later
        // repeats of the same scale are dropped.
        let res = Double(resolution)
        var scales: [(tick: Int, scale: Double)] = [(0, 60.0 / (120.0 * res))]
        for case (let tick, .tempo(let microseconds)) in conductor {
            guard microseconds > 0 else { return nil }  // 6e7 / 0 raises in pretty_midi
            let scale = 60.0 / ((6e7 / Double(microseconds)) * res)
            if tick == 0 { scales = [(0, scale)] } else if scale != scales[scales.count - 1].scale { scales.append((tick, scale)) }
        }
        // Seconds at each scale's tick, summed exactly as _update_tick_to_time does.
        var starts = [0.0]
        for i in scales.indices.dropFirst() {
            starts.append(starts[i - 1] + scales[i - 1].scale * Double(scales[i].tick - scales[i - 1].tick))
        }
        func seconds(_ tick: Int) -> Double {
            var lo = 0, hi = scales.count - 1
            while lo < hi { let mid = (lo + hi + 1) / 2; if scales[mid].tick <= tick { lo = mid } else { hi = mid - 1 } }
            return starts[lo] + scales[lo].scale * Double(tick - scales[lo].tick)
        }
        tempoTimes = scales.map { seconds($0.tick) }
        tempi = scales.map { 60.0 / ($0.scale * res) }

        var metaTimes: [Double] = tempoTimes
        for (tick, m) in conductor {
            switch m {
            case .timeSignature(let n, let d, _, _):
                guard n > 0 else { return nil }  // qpm_to_bpm raises on a zero numerator
                timeSignatures.append(TimeSignature(time: seconds(tick), numerator: n, denominator: d))
                metaTimes.append(seconds(tick))
            case .keySignature: metaTimes.append(seconds(tick))
            default: break
            }
        }
        for track in midi.tracks {
            for e in track.events {
                switch e.event {
                case .meta(.text), .meta(.lyric): metaTimes.append(seconds(e.ticks))
                default: break
                }
            }
        }
        readInstruments(midi.tracks, seconds: seconds)

        // get_end_time: the last note end, controller, bend or meta event (0 when none).
        var ends = metaTimes
        for i in instruments { ends.append((i.notes.map(\.end) + (i.events.lastTime.map { [$0] } ?? [])).max() ?? 0) }
        endTime = ends.max() ?? 0
    }

    /// pretty_midi's _load_instruments: per track, open notes keyed by (channel, key); a
    /// note-off closes every open note of that key not struck at the same tick.
    private mutating func readInstruments(_ tracks: [MIDITrack], seconds: (Int) -> Double) {
        var index: [Int: Int] = [:]            // (program, channel, track) -> instrument
        var stragglers: [Int: EventList] = [:] // (channel, track) -> events before the first note
        for (t, track) in tracks.enumerated() {
            var open = [[(tick: Int, velocity: Int)]](repeating: [], count: 16 * 128)
            var program = [Int](repeating: 0, count: 16)
            func instrument(_ channel: Int, create: Bool) -> (Int?, EventList) {
                let key = (program[channel] * 16 + channel) * tracks.count + t
                if let i = index[key] { return (i, instruments[i].events) }
                let stray = channel * tracks.count + t
                if !create, let s = stragglers[stray] { return (nil, s) }
                if create {
                    instruments.append(Instrument(isDrum: channel == 9, events: stragglers[stray] ?? EventList()))
                    index[key] = instruments.count - 1
                    return (instruments.count - 1, instruments[instruments.count - 1].events)
                }
                let s = EventList(); stragglers[stray] = s
                return (nil, s)
            }
            for e in track.events {
                guard case .channel(let message) = e.event else { continue }
                let channel = Int(message.channel)
                switch message {
                case .programChange(_, let p): program[channel] = Int(p)
                case .noteOn(_, let key, let velocity) where velocity > 0:
                    open[channel * 128 + Int(key)].append((e.ticks, Int(velocity)))
                case .noteOn(_, let key, _), .noteOff(_, let key, _):
                    let k = channel * 128 + Int(key)
                    guard !open[k].isEmpty else { continue }
                    let close = open[k].filter { $0.tick != e.ticks }
                    let keep = open[k].filter { $0.tick == e.ticks }
                    for n in close {
                        let i = instrument(channel, create: true).0!
                        instruments[i].notes.append(Note(velocity: n.velocity, pitch: Int(key),
                                                         start: seconds(n.tick), end: seconds(e.ticks)))
                    }
                    open[k] = !close.isEmpty && !keep.isEmpty ? keep : []
                case .controlChange(_, let controller, let value):
                    let list = instrument(channel, create: false).1
                    list.add(seconds(e.ticks))
                    if controller == 64 { list.pedal.append((seconds(e.ticks), Int(value))) }
                case .pitchBend:
                    instrument(channel, create: false).1.add(seconds(e.ticks))
                default:
                    break
                }
            }
        }
    }

    /// Tempo, time and key signatures as mido decodes them: MIDI's reader keeps those with
    /// unusual lengths or values as `.other`, mido reads them from their first bytes.
    static func asMido(_ m: MetaEvent) -> MetaEvent? {
        switch m {
        case .tempo, .timeSignature, .keySignature, .text, .lyric: return m
        case .other(0x51, let d) where d.count >= 3:
            return .tempo(microsecondsPerQuarter: Int(d[0]) << 16 | Int(d[1]) << 8 | Int(d[2]))
        case .other(0x58, let d) where d.count >= 4:
            // Only 1...32 matter (qpm_to_bpm treats any other denominator as a quarter).
            return .timeSignature(numerator: Int(d[0]), denominator: d[1] <= 5 ? 1 << Int(d[1]) : 0,
                                  clocksPerClick: Int(d[2]), thirtySecondsPerQuarter: Int(d[3]))
        case .other(0x59, let d) where d.count >= 2 && (-7...7).contains(Int8(bitPattern: d[0])) && d[1] <= 1:
            return .keySignature(sharps: Int(Int8(bitPattern: d[0])), isMinor: d[1] == 1)
        default: return nil
        }
    }

    /// Meta events mido cannot decode, so pretty_midi cannot load the file.
    static func midoRejects(_ m: MetaEvent) -> Bool {
        guard case .other(let type, _) = m, [0x51, 0x58, 0x59].contains(type) else { return false }
        return asMido(m) == nil
    }
}
