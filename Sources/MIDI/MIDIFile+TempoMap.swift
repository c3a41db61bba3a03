// Ticks to seconds for a whole MIDI file. With ticks-per-quarter division the tempo
// meta events of every track make one map (format 0 and 1 keep them in the first track;
// for format 2 this treats all sequences as sharing one timeline). With SMPTE division
// a tick has a fixed length and tempo events do not change it.

extension MIDIFile {
    /// Tempo changes of all tracks, sorted by ticks (stable for equal ticks).
    public var tempoChanges: [TempoChange] {
        var changes: [TempoChange] = []
        for track in tracks {
            for e in track.events {
                if case .meta(.tempo(let microseconds)) = e.event {
                    changes.append(TempoChange(ticks: e.ticks, microsecondsPerQuarter: microseconds))
                }
            }
        }
        return stableSorted(changes) { $0.ticks < $1.ticks }
    }

    public func tempoMap() -> TempoMap {
        switch division {
        case .ticksPerQuarter(let ticksPerQuarter):
            return TempoMap(ticksPerQuarter: ticksPerQuarter, changes: tempoChanges)
        case .smpte(let framesPerSecond, let ticksPerFrame):
            let exactFramesPerSecond = framesPerSecond == 29 ? 30_000.0 / 1001.0 : Double(framesPerSecond)
            return TempoMap(secondsPerTick: 1.0 / (exactFramesPerSecond * Double(max(1, ticksPerFrame))))
        }
    }

    /// The tick of the last event of any track (usually the last end-of-track).
    public var endTicks: Int {
        tracks.reduce(0) { max($0, $1.events.last?.ticks ?? 0) }
    }

    /// Duration in seconds up to the last event of any track.
    public var durationSeconds: Double { tempoMap().seconds(atTicks: endTicks) }
}

/// A stable sort (Swift's `sort` is not documented as stable).
func stableSorted<T>(_ items: [T], by areInIncreasingOrder: (T, T) -> Bool) -> [T] {
    if items.count < 2 { return items }
    var isSorted = true
    for i in 1..<items.count where areInIncreasingOrder(items[i], items[i - 1]) { isSorted = false; break }
    if isSorted { return items }
    return items.enumerated()
        .sorted { a, b in
            if areInIncreasingOrder(a.element, b.element) { return true }
            if areInIncreasingOrder(b.element, a.element) { return false }
            return a.offset < b.offset
        }
        .map(\.element)
}
