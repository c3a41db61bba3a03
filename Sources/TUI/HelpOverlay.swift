// The `?` overlay: a framed box listing every key of KeyTable with what it does.
// It is drawn over the roll; when the terminal is too short it shows what fits.

public enum HelpOverlay {
    public static func lines() -> [String] {
        let labelWidth = KeyTable.bindings.map(\.label.count).max() ?? 0
        return KeyTable.bindings.map { b in
            b.label + String(repeating: " ", count: labelWidth - b.label.count + 2) + b.help
        }
    }

    public static func draw(into grid: inout CellGrid) {
        let body = lines()
        let innerWidth = min(grid.width - 4, max(body.map(\.count).max() ?? 0, 20))
        let innerRows = min(grid.height - 4, body.count)
        guard innerWidth > 4, innerRows > 0 else { return }
        let boxWidth = innerWidth + 4, boxHeight = innerRows + 2
        let top = max(0, (grid.height - 2 - boxHeight) / 2), left = (grid.width - boxWidth) / 2
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
        let labelWidth = KeyTable.bindings.map(\.label.count).max() ?? 0
        for (i, line) in body.prefix(innerRows).enumerated() {
            var text = line
            if i == innerRows - 1 && innerRows < body.count { text = "... (a taller terminal shows every key)" }
            let clipped = String(text.prefix(innerWidth))
            grid.write(clipped, row: top + 1 + i, column: left + 2, style: frame)
            if i < innerRows - 1 || innerRows == body.count {
                grid.write(String(clipped.prefix(labelWidth)), row: top + 1 + i, column: left + 2, style: CellStyle(.overlayKey, bold: true))
            }
        }
    }
}
