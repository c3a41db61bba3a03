// Where things go on the piano roll: which bars are visible and at which columns, how
// many columns a beat takes, and which pitches the rows show (one semitone per row, or
// two per row with half blocks when the terminal is short). Pure arithmetic, no drawing.

public struct RollLayout: Sendable {
    /// Columns 0..<keyboardWidth hold the keyboard: a 3-column label and a 2-column key.
    public static let keyboardWidth = 5

    public var left: Int            // first roll column (after the keyboard)
    public var width: Int           // roll columns
    public var top: Int             // first roll row
    public var rows: Int
    public var columnsPerBeat: Int
    /// Visible bars (indices into the snapshot) and the column of each one's bar line.
    public var barColumns: [(bar: Int, column: Int)]
    public var lowPitch: Int        // pitch of the lowest row (its lower half in half-block mode)
    public var semitonesPerRow: Int // 1 or 2

    public var firstBar: Int? { barColumns.first?.bar }
    public var right: Int { left + width }
    public var highPitch: Int { lowPitch + rows * semitonesPerRow - 1 }

    /// Columns a bar takes, not counting its bar line.
    static func barWidth(_ bar: RollBar, columnsPerBeat: Int) -> Int {
        max(1, Int((bar.lengthBeats * Double(columnsPerBeat)).rounded()))
    }

    public init(roll: RollSnapshot, selectedBar: Int?, firstBarHint: Int, left: Int, width: Int, top: Int, rows: Int) {
        self.left = left
        self.width = max(0, width)
        self.top = top
        self.rows = max(1, rows)
        let bars = roll.bars
        let longest = bars.map(\.lengthBeats).max() ?? 4
        // Zoom: four columns per beat (a sixteenth note each) when two bars fit, else fewer.
        var cpb = 4
        while cpb > 1 && Double(self.width) < 2 * (1 + longest * Double(cpb)) { cpb /= 2 }
        columnsPerBeat = cpb
        func fits(_ range: ClosedRange<Int>) -> Bool {
            var used = 0
            for i in range { used += 1 + Self.barWidth(bars[i], columnsPerBeat: cpb) }
            return used <= max(1, width)
        }
        // Choose the first visible bar: follow the end, or keep the selection in view.
        var first = 0
        if !bars.isEmpty {
            let anchor = min(selectedBar ?? bars.count - 1, bars.count - 1)
            if selectedBar == nil {
                first = anchor
                while first > 0 && fits((first - 1)...anchor) { first -= 1 }
            } else {
                first = min(max(0, firstBarHint), anchor)
                while first < anchor && !fits(first...anchor) { first += 1 }
            }
            // Never leave the right side empty while earlier bars are hidden.
            while first > 0 && fits((first - 1)...(bars.count - 1)) { first -= 1 }
        }
        var columns: [(bar: Int, column: Int)] = []
        var x = left
        var i = first
        while i < bars.count && x < left + self.width {
            columns.append((bar: i, column: x))
            x += 1 + Self.barWidth(bars[i], columnsPerBeat: cpb)
            i += 1
        }
        barColumns = columns
        // Pitch window over the notes on screen, with a margin; octave-aligned when it fits.
        var lo = Int.max, hi = Int.min
        let visible = Set(columns.map(\.bar))
        for (index, bar) in bars.enumerated() where visible.contains(index) {
            for n in bar.notes { lo = min(lo, n.pitch); hi = max(hi, n.pitch) }
        }
        if lo > hi { lo = 60; hi = 72 }
        (lowPitch, semitonesPerRow) = Self.pitchWindow(low: lo, high: hi, rows: self.rows)
    }

    /// The lowest pitch shown and semitones per row for notes spanning `low...high`.
    static func pitchWindow(low: Int, high: Int, rows: Int) -> (Int, Int) {
        let lo = max(0, low - 2), hi = min(127, high + 2)
        let octaveLow = lo / 12 * 12, octaveHigh = min(127, (hi / 12 + 1) * 12 - 1)
        for spr in [1, 2] {
            let capacity = rows * spr
            for (a, b) in [(octaveLow, octaveHigh), (lo, hi)] where b - a + 1 <= capacity {
                let base = a - (capacity - (b - a + 1)) / 2
                return (clampLow(base, capacity: capacity), spr)
            }
        }
        // Too wide even at two per row: centre on the middle of the range.
        let capacity = rows * 2
        return (clampLow((lo + hi) / 2 - capacity / 2, capacity: capacity), 2)
    }

    private static func clampLow(_ low: Int, capacity: Int) -> Int {
        min(max(0, low), max(0, 128 - capacity))
    }

    /// The row showing `pitch`, or nil when it is outside the window.
    public func row(forPitch pitch: Int) -> Int? {
        guard pitch >= lowPitch && pitch <= highPitch else { return nil }
        return top + rows - 1 - (pitch - lowPitch) / semitonesPerRow
    }

    /// In half-block mode, whether `pitch` is the upper half of its row.
    public func isUpperHalf(_ pitch: Int) -> Bool {
        semitonesPerRow == 2 && (pitch - lowPitch) % 2 == 1
    }

    /// The pitches a row shows (one, or lower and upper).
    public func pitches(inRow row: Int) -> ClosedRange<Int> {
        let base = lowPitch + (top + rows - 1 - row) * semitonesPerRow
        return base...(base + semitonesPerRow - 1)
    }

    /// The column at `beats`; clipped to `left` before the first visible bar and to
    /// `right` after the last. A time exactly on a bar line maps to the bar line.
    public func column(atBeats beats: Double, in roll: RollSnapshot) -> Int {
        guard let firstEntry = barColumns.first else { return left }
        if beats < roll.bars[firstEntry.bar].startBeats { return left }
        for (index, column) in barColumns {
            let bar = roll.bars[index]
            if beats < bar.endBeats {
                let offset = Int(((beats - bar.startBeats) * Double(columnsPerBeat) + 1e-9).rounded(.down))
                return min(column + 1 + min(offset, Self.barWidth(bar, columnsPerBeat: columnsPerBeat) - 1), right)
            }
        }
        let last = barColumns[barColumns.count - 1]
        return min(right, last.column + 1 + Self.barWidth(roll.bars[last.bar], columnsPerBeat: columnsPerBeat))
    }
}
