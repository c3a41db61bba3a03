// The `?` overlay: a framed box listing every key of KeyTable with what it does.
// It is drawn over the roll. When the terminal is too short for one column the keys flow
// into as many columns as it takes, the descriptions cut to fit: no key is ever hidden.

public enum HelpOverlay {
    public static func lines() -> [String] {
        let labelWidth = KeyTable.bindings.map(\.label.count).max() ?? 0
        return KeyTable.bindings.map { b in
            b.label + String(repeating: " ", count: labelWidth - b.label.count + 2) + b.help
        }
    }

    public static func draw(into grid: inout CellGrid) {
        let body = lines()
        let labelWidth = KeyTable.bindings.map(\.label.count).max() ?? 0
        let maxRows = grid.height - 4
        guard maxRows > 0, grid.width > 8, !body.isEmpty else { return }
        let columns = (body.count + maxRows - 1) / maxRows
        let rows = (body.count + columns - 1) / columns
        let gap = 3
        let widest = body.map(\.count).max() ?? 0
        // Each column as wide as its longest line, shrunk evenly to the terminal's width.
        let available = grid.width - 4 - gap * (columns - 1)
        let columnWidth = max(1, min(widest, available / columns))
        let innerWidth = max(20, columnWidth * columns + gap * (columns - 1))
        let boxWidth = min(grid.width, innerWidth + 4), boxHeight = rows + 2
        let top = max(0, (grid.height - 2 - boxHeight) / 2), left = max(0, (grid.width - boxWidth) / 2)
        let frame = CellStyle(.overlay)
        grid.fill(rows: top..<(top + boxHeight), columns: left..<(left + boxWidth), with: Cell(" ", frame))
        let horizontal = String(repeating: "─", count: boxWidth - 2)
        grid.write("┌" + horizontal + "┐", row: top, column: left, style: frame)
        grid.write("└" + horizontal + "┘", row: top + boxHeight - 1, column: left, style: frame)
        grid.write(" Keys ", row: top, column: left + 2, style: CellStyle(.overlayKey, bold: true))
        for r in 1..<(boxHeight - 1) {
            grid[top + r, left] = Cell("│", frame)
            grid[top + r, left + boxWidth - 1] = Cell("│", frame)
        }
        for (i, line) in body.enumerated() {
            let row = top + 1 + i % rows
            let column = left + 2 + (i / rows) * (columnWidth + gap)
            let clipped = line.count > columnWidth ? String(line.prefix(max(1, columnWidth - 1))) + "…" : line
            grid.write(clipped, row: row, column: column, style: frame)
            grid.write(String(clipped.prefix(min(labelWidth, columnWidth))), row: row, column: column,
                       style: CellStyle(.overlayKey, bold: true))
        }
    }
}
