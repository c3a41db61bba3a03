// What the app loop needs from a terminal: its size, the next key (or nothing within a
// timeout), drawing a finished CellGrid with a theme, and restoring the terminal. The
// ncurses implementation is TerminalScreen.swift; the tests drive the app through
// Tests/TUITests/FakeTerminal.swift.

public protocol TerminalDevice: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// The colours the terminal can show (after NO_COLOR is taken into account).
    var colourDepth: ColourDepth { get }
    /// The next key, or nil when none arrives within `timeoutMilliseconds`.
    func readKey(timeoutMilliseconds: Int) -> Key?
    /// Shows `grid`; cells resolve to colours through `theme`.
    func draw(_ grid: CellGrid, theme: Theme, probabilityMode: Bool)
    /// Gives the terminal back (idempotent).
    func close()
}
