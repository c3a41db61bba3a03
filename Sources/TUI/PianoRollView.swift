// Draws the piano roll into a CellGrid: the keyboard at the left, bar numbers on the
// ruler row, bar lines, the selected and candidate bars' backgrounds, the notes (full
// blocks, or half blocks at two semitones per row) and the playhead. Pure: reads state.

public enum PianoRollView {
    static let noteLevels = 8

    /// The colour level (0...7) of a note in the current colour mode.
    public static func level(of note: RollNote, mode: ColourMode) -> Int {
        switch mode {
        case .velocity:
            return min(noteLevels - 1, max(0, note.velocity * noteLevels / 128))
        case .probability:
            guard let p = note.probability else { return noteLevels / 2 }
            return min(noteLevels - 1, max(0, Int(p * Double(noteLevels))))
        }
    }

    public static func octaveLabel(_ pitch: Int) -> String { "C\(pitch / 12 - 1)" }
    static func isBlack(_ pitch: Int) -> Bool { [1, 3, 6, 8, 10].contains(pitch % 12) }

    /// Draws the ruler at `layout.top - 1` and the roll in the layout's rows.
    public static func draw(_ state: ComposerState, layout: RollLayout, into grid: inout CellGrid) {
        let roll = state.roll
        let rollRows = layout.top..<(layout.top + layout.rows)
        drawKeyboard(layout, into: &grid)
        // Backgrounds: selection and candidate, then bar lines.
        for (index, column) in layout.barColumns {
            let bar = roll.bars[index]
            let end = min(layout.right, column + 1 + RollLayout.barWidth(bar, columnsPerBeat: layout.columnsPerBeat))
            let selected = index == state.selectedBar
            let area = CellStyle(bar.isCandidate ? .candidateArea : .background, selected: selected)
            grid.fill(rows: rollRows, columns: (column + 1)..<end, with: Cell(" ", area))
            grid.fill(rows: rollRows, columns: column..<(column + 1), with: Cell("│", CellStyle(.barLine, selected: selected)))
            // Ruler: bar number, take, candidate mark; clipped to the bar.
            // The longest label that fits the bar: "12 take 2/3", "12 2/3", "12".
            var labels = ["\(index + 1)"]
            if bar.takeCount > 1 {
                labels = ["\(index + 1) take \(bar.takeIndex + 1)/\(bar.takeCount)",
                          "\(index + 1) \(bar.takeIndex + 1)/\(bar.takeCount)"] + labels
            }
            if bar.isCandidate { labels = ["\(index + 1) new"] + labels }
            if bar.isPlayed { labels = ["\(index + 1) played", "\(index + 1) you"] + labels }
            let label = labels.first { $0.count <= end - column } ?? labels[labels.count - 1]
            let rulerStyle = CellStyle(.barNumber, selected: selected, bold: selected)
            grid.fill(rows: (layout.top - 1)..<layout.top, columns: column..<end, with: Cell(" ", rulerStyle))
            for (k, ch) in label.enumerated() where column + k < end {
                grid[layout.top - 1, column + k] = Cell(ch, rulerStyle)
            }
        }
        drawNotes(state, layout: layout, into: &grid)
        // Playhead over empty cells and bar lines.
        if let beats = state.playheadBeats, let first = layout.firstBar, beats >= roll.bars[first].startBeats {
            let column = layout.column(atBeats: beats, in: roll)
            if column < layout.right {
                for row in rollRows where grid[row, column].character == " " || grid[row, column].character == "│" {
                    grid[row, column] = Cell("┃", CellStyle(.playhead))
                }
                // The marker never hides a bar number: over a label the line below says it.
                if grid[layout.top - 1, column].character == " " {
                    grid[layout.top - 1, column] = Cell("▼", CellStyle(.playhead))
                }
            }
        }
        if roll.bars.isEmpty {
            let text = "waiting for the model's first notes..."
            let row = layout.top + layout.rows / 2
            grid.write(text, row: row, column: layout.left + max(0, (layout.width - text.count) / 2), style: CellStyle(.dimText))
        }
    }

    static func drawKeyboard(_ layout: RollLayout, into grid: inout CellGrid) {
        for row in layout.top..<(layout.top + layout.rows) {
            let pitches = layout.pitches(inRow: row)
            let label = pitches.first { $0 % 12 == 0 }.map(octaveLabel) ?? ""
            grid.fill(rows: row..<(row + 1), columns: 0..<3, with: Cell(" ", CellStyle(.keyLabel)))
            grid.write(label, row: row, column: 0, style: CellStyle(.keyLabel))
            let key: Cell
            if layout.semitonesPerRow == 1 {
                key = isBlack(pitches.lowerBound) ? Cell("█", CellStyle(.blackKey)) : Cell(" ", CellStyle(.whiteKey))
            } else {
                let lowerBlack = isBlack(pitches.lowerBound), upperBlack = isBlack(pitches.upperBound)
                key = Cell(upperBlack ? "▀" : lowerBlack ? "▄" : " ", CellStyle(.blackKey))
            }
            grid[row, 3] = key
            grid[row, 4] = Cell(" ", CellStyle(.whiteKey))
        }
    }

    /// One half of a half-block cell, or a whole cell in one-semitone mode.
    private struct Mark { var level: Int; var candidate: Bool }

    static func drawNotes(_ state: ComposerState, layout: RollLayout, into grid: inout CellGrid) {
        let roll = state.roll
        guard let first = layout.firstBar, let last = layout.barColumns.last?.bar else { return }
        let viewStart = roll.bars[first].startBeats
        let viewEnd = roll.bars[last].endBeats
        // Marks per cell: [upper, lower] in half-block mode, [whole] otherwise.
        var upper: [Int: Mark] = [:], lower: [Int: Mark] = [:]
        var above = false, below = false
        for bar in roll.bars {
            for note in bar.notes where note.endBeats > viewStart && note.onsetBeats < viewEnd {
                guard let row = layout.row(forPitch: note.pitch) else {
                    if note.pitch > layout.highPitch { above = true } else { below = true }
                    continue
                }
                let from = layout.column(atBeats: note.onsetBeats, in: roll)
                // The last cell is the one holding the note's final instant, so a note that ends on a
                // bar line leaves the line visible and one that crosses it covers it.
                let to = max(from + 1, layout.column(atBeats: note.endBeats - 1e-6, in: roll) + 1)
                let mark = Mark(level: level(of: note, mode: state.colourMode), candidate: bar.isCandidate)
                for column in from..<min(to, layout.right) where column >= layout.left {
                    let key = row * grid.width + column
                    if layout.isUpperHalf(note.pitch) { upper[key] = mark } else { lower[key] = mark }
                }
            }
        }
        // Notes outside the pitch window (a range too wide even for half blocks): arrows.
        if above { grid[layout.top, 2] = Cell("▲", CellStyle(.warning)) }
        if below { grid[layout.top + layout.rows - 1, 2] = Cell("▼", CellStyle(.warning)) }
        let cellsWithNotes = Set(upper.keys).union(lower.keys)
        for key in cellsWithNotes {
            let row = key / grid.width, column = key % grid.width
            let up = upper[key], down = lower[key]
            let character: Character = layout.semitonesPerRow == 1 ? "█" : (up != nil && down != nil ? "█" : up != nil ? "▀" : "▄")
            // The louder (or likelier) half gives the colour.
            let mark = [up, down].compactMap { $0 }.max { $0.level < $1.level }!
            let selected = grid[row, column].style.selected
            let role: StyleRole = mark.candidate ? .candidateNote(level: mark.level) : .note(level: mark.level)
            grid[row, column] = Cell(character, CellStyle(role, selected: selected))
        }
    }
}
