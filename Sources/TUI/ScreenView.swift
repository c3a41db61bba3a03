// The whole screen as a pure function: render(state, width, height) -> CellGrid.
// Rows: the ruler (bar numbers), the roll, two status lines; the help overlay on top;
// a short message instead of all that when the terminal is too small.

public enum ScreenView {
    public static let minimumWidth = 40
    public static let minimumHeight = 10

    /// The roll's layout for a terminal of this size (nil when it is too small).
    public static func layout(_ state: ComposerState, width: Int, height: Int) -> RollLayout? {
        guard width >= minimumWidth && height >= minimumHeight else { return nil }
        let left = RollLayout.keyboardWidth
        return RollLayout(roll: state.roll, selectedBar: state.selectedBar, firstBarHint: state.viewFirstBar,
                          left: left, width: width - left, top: 1, rows: height - 3)
    }

    public static func render(_ state: ComposerState, width: Int, height: Int) -> CellGrid {
        var grid = CellGrid(width: width, height: height, fill: Cell(" ", CellStyle(.background)))
        guard let layout = layout(state, width: width, height: height) else {
            drawTooSmall(width: width, height: height, into: &grid)
            return grid
        }
        grid.write("bar", row: 0, column: 1, style: CellStyle(.title, bold: true))
        PianoRollView.draw(state, layout: layout, into: &grid)
        StatusLine.draw(state, into: &grid)
        if state.helpVisible { HelpOverlay.draw(into: &grid) }
        return grid
    }

    static func drawTooSmall(width: Int, height: Int, into grid: inout CellGrid) {
        let lines = ["Terminal too small", "\(width)x\(height), need \(minimumWidth)x\(minimumHeight)", "q quits"]
        let top = max(0, (height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let text = String(line.prefix(width))
            grid.write(text, row: top + i, column: max(0, (width - text.count) / 2), style: CellStyle(.warning, bold: i == 0))
        }
    }
}
