// music_eval.py's fold_pedal: an instrument's sustain pedal (CC64 >= 64 is down) folded into
// its note ends, so files with pedal events and files with pedal-length notes compare
// alike. A note released while the pedal is down sounds until the pedal lifts, but never
// past the next onset of the same pitch; a note is never shortened.

extension PrettyMIDIView.Instrument {
    func pedalFoldedNotes() -> [PrettyMIDIView.Note] {
        // Pedal-down spans, in time order; a pedal never lifted holds to the end.
        var downs: [(from: Double, to: Double)] = []
        var downAt: Double?
        for c in stableSorted(events.pedal, by: { $0.time < $1.time }) {
            if c.value >= 64 && downAt == nil { downAt = c.time }
            else if c.value < 64, let from = downAt { downs.append((from, c.time)); downAt = nil }
        }
        if let from = downAt { downs.append((from, .infinity)) }
        if downs.isEmpty { return notes }

        let sorted = stableSorted(notes, by: { $0.start < $1.start })
        var nextSame = [Double](repeating: .infinity, count: 128)
        var out: [PrettyMIDIView.Note] = []
        out.reserveCapacity(sorted.count)
        for n in sorted.reversed() {
            let next = nextSame[n.pitch]
            var end = n.end
            // The spans are disjoint and sorted, so the last one starting at or before the end
            // is the only one that can hold it (the Python scans them in order).
            if let i = Self.lastSpan(startingAtOrBefore: end, in: downs), end < downs[i].to {
                end = max(end, min(downs[i].to, next))
            }
            out.append(PrettyMIDIView.Note(velocity: n.velocity, pitch: n.pitch, start: n.start,
                                           end: min(max(end, n.end), max(n.end, next))))
            nextSame[n.pitch] = n.start
        }
        return out
    }

    private static func lastSpan(startingAtOrBefore t: Double, in spans: [(from: Double, to: Double)]) -> Int? {
        var lo = 0, hi = spans.count  // first span starting after t
        while lo < hi { let mid = (lo + hi) / 2; if spans[mid].from <= t { lo = mid + 1 } else { hi = mid } }
        return lo > 0 ? lo - 1 : nil
    }
}

/// A stable sort (the Python's `sorted` is stable; Swift's `sort` is not documented to be).
func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
    items.enumerated().sorted { less($0.element, $1.element) || (!less($1.element, $0.element) && $0.offset < $1.offset) }
        .map(\.element)
}
