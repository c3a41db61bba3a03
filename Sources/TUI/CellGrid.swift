// The screen as data: a grid of cells, each a character and a semantic style.
// Views write into a CellGrid; only TerminalScreen.swift turns it into ncurses calls.
// Styles are roles (what a cell means), resolved to colours by a Theme at blit time.

/// What a cell shows, independent of colours. A Theme maps each role to colours.
public enum StyleRole: Hashable, Sendable {
    case background
    case text
    case dimText
    case title
    case whiteKey          // a white key of the keyboard (drawn as a coloured space)
    case blackKey          // a black key (drawn as a coloured space)
    case keyPair           // half-block row: foreground = white key, background = black key
    case keyLabel
    case barLine
    case barNumber
    case playhead
    case selection         // the selected bar's background
    case candidateArea     // the candidate bar's background
    case note(level: Int)            // accepted note, velocity or probability level 0...7
    case candidateNote(level: Int)   // a note of the candidate bar
    case statusBar
    case statusValue
    case message
    case warning
    case overlay
    case overlayKey
}

public struct CellStyle: Hashable, Sendable {
    public var role: StyleRole
    /// The cell lies in the selected bar: the theme draws it on the selection background.
    public var selected: Bool
    public var bold: Bool

    public init(_ role: StyleRole, selected: Bool = false, bold: Bool = false) {
        self.role = role
        self.selected = selected
        self.bold = bold
    }
    public static let plain = CellStyle(.background)
}

public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: CellStyle
    public init(_ character: Character, _ style: CellStyle = .plain) {
        self.character = character
        self.style = style
    }
    public static let blank = Cell(" ")
}

public struct CellGrid: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(row: Int, column: Int) -> Cell {
        get {
            precondition(contains(row: row, column: column), "cell (\(row), \(column)) outside \(width)x\(height)")
            return cells[row * width + column]
        }
        set {
            guard contains(row: row, column: column) else { return }
            cells[row * width + column] = newValue
        }
    }

    public func contains(row: Int, column: Int) -> Bool {
        row >= 0 && row < height && column >= 0 && column < width
    }

    /// Writes `text` from (row, column), clipped at the right edge. Returns the column after it.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, style: CellStyle = .plain) -> Int {
        var c = column
        for ch in text {
            if c >= width { break }
            // Control characters (a newline in a message) would move the terminal's cursor.
            let printable: Character = ch.unicodeScalars.contains { $0.value < 32 || $0.value == 127 } ? " " : ch
            self[row, c] = Cell(printable, style)
            c += 1
        }
        return c
    }

    /// Fills a rectangle (clipped to the grid).
    public mutating func fill(rows: Range<Int>, columns: Range<Int>, with cell: Cell) {
        let r0 = max(0, rows.lowerBound), r1 = min(height, rows.upperBound)
        let c0 = max(0, columns.lowerBound), c1 = min(width, columns.upperBound)
        guard r0 < r1, c0 < c1 else { return }
        for r in r0..<r1 {
            for c in c0..<c1 { cells[r * width + c] = cell }
        }
    }

    /// The characters of one row, for tests and plain-text dumps.
    public func line(_ row: Int) -> String {
        String(cells[(row * width)..<(row * width + width)].map(\.character))
    }

    /// All rows, joined with newlines.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }
}
