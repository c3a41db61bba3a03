// The ncurses blitter: the only file that imports CNcursesw. It opens the terminal,
// turns a CellGrid into runs of styled text (colour pairs allocated on demand from the
// theme), reads keys into `Key`, and restores the terminal. It keeps no composer state.

import CNcursesw
import Foundation

public final class TerminalScreen: TerminalDevice {
    private var screen: OpaquePointer?
    private var closed = false
    public let colourDepth: ColourDepth
    /// Colour pairs by (foreground, background); pair 0 is the terminal's default.
    private var pairs: [PairKey: Int32] = [:]
    private var attributeCache: [CellStyle: Int32] = [:]
    private var cachedTheme: Theme?
    private var cachedProbabilityMode = false
    private var lastGrid: CellGrid?

    private struct PairKey: Hashable { var fg: Int16; var bg: Int16 }

    /// Opens the terminal on standard input/output. Throws when they are not a terminal.
    /// `noColour` forces monochrome (NO_COLOR).
    public init(noColour: Bool) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ComposerError.terminal("standard input and output must be a terminal; run `cadenza` in a terminal, or use `cadenza generate` in scripts")
        }
        setlocale(LC_ALL, "")
        guard let s = newterm(nil, stdout, stdin) else {
            throw ComposerError.terminal("cannot open the terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")); set TERM to your terminal's type, e.g. xterm-256color")
        }
        screen = s
        set_term(s)
        cbreak()
        noecho()
        nonl()
        keypad(cadenza_stdscr(), true)
        intrflush(cadenza_stdscr(), false)
        set_escdelay(25)
        // Home and End as the common terminals send them, whatever TERM's entry says
        // (tmux and screen send ESC [1~ / ESC [4~ under TERM=xterm-256color).
        for (sequence, code) in [("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
                                 ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END)] {
            define_key(sequence, code)
        }
        curs_set(0)
        var depth = ColourDepth.none
        if !noColour && has_colors() {
            start_color()
            use_default_colors()
            let colours = cadenza_colors()
            depth = colours >= 256 ? .colours256 : colours >= 8 ? .colours8 : .none
        }
        colourDepth = depth
    }

    deinit { close() }

    public var width: Int { Int(cadenza_getmaxx(cadenza_stdscr())) }
    public var height: Int { Int(cadenza_getmaxy(cadenza_stdscr())) }

    public func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
    }

    // MARK: - Keys

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard !closed else { return nil }
        wtimeout(cadenza_stdscr(), Int32(timeoutMilliseconds))
        var ch: wint_t = 0
        let result = wget_wch(cadenza_stdscr(), &ch)
        if result == ERR { return nil }
        let code = Int32(bitPattern: UInt32(ch))
        if result == KEY_CODE_YES {
            switch code {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_BACKSPACE, KEY_DC: return .backspace
            case KEY_ENTER: return .enter
            case KEY_HOME: return .home
            case KEY_END: return .end
            case cadenza_key_resize(): return .resize
            default: return .unknown
            }
        }
        switch code {
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 3: return .interrupt
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)) else { return .unknown }
            return .character(Character(scalar))
        }
    }

    // MARK: - Drawing

    public func draw(_ grid: CellGrid, theme: Theme, probabilityMode: Bool) {
        guard !closed else { return }
        if cachedTheme != theme || cachedProbabilityMode != probabilityMode {
            attributeCache.removeAll()
            cachedTheme = theme
            cachedProbabilityMode = probabilityMode
            lastGrid = nil
        }
        if grid == lastGrid { return }
        let resized = lastGrid.map { $0.width != grid.width || $0.height != grid.height } ?? true
        if resized { werase(cadenza_stdscr()) }
        for row in 0..<grid.height {
            if let last = lastGrid, !resized, sameRow(last, grid, row) { continue }
            var column = 0
            while column < grid.width {
                let style = grid[row, column].style
                var run = ""
                var end = column
                while end < grid.width && grid[row, end].style == style {
                    run.append(grid[row, end].character)
                    end += 1
                }
                _ = cadenza_attrset(attributes(style, theme: theme, probabilityMode: probabilityMode))
                _ = mvaddstr(Int32(row), Int32(column), run)   // the bottom-right cell reports ERR; it is drawn anyway
                column = end
            }
        }
        _ = cadenza_attrset(cadenza_a_normal())
        refresh()
        lastGrid = grid
    }

    private func sameRow(_ a: CellGrid, _ b: CellGrid, _ row: Int) -> Bool {
        for column in 0..<b.width where a[row, column] != b[row, column] { return false }
        return true
    }

    private func attributes(_ style: CellStyle, theme: Theme, probabilityMode: Bool) -> Int32 {
        if let cached = attributeCache[style] { return cached }
        let resolved = theme.resolve(style, depth: colourDepth, probabilityMode: probabilityMode)
        var attributes = cadenza_a_normal()
        if colourDepth != .none {
            attributes |= cadenza_color_pair(Int32(pair(resolved.foreground, resolved.background)))
        }
        if resolved.bold { attributes |= cadenza_a_bold() }
        if resolved.reverse { attributes |= cadenza_a_reverse() }
        if resolved.dim { attributes |= cadenza_a_dim() }
        if resolved.underline { attributes |= cadenza_a_underline() }
        attributeCache[style] = attributes
        return attributes
    }

    private func pair(_ fg: ThemeColour, _ bg: ThemeColour) -> Int32 {
        func number(_ c: ThemeColour) -> Int16 {
            if case .index(let i) = c { return Int16(i) }
            return -1
        }
        let key = PairKey(fg: number(fg), bg: number(bg))
        if let p = pairs[key] { return p }
        // COLOR_PAIR() packs the pair into 8 bits of the attributes: at most 255 pairs.
        let next = Int32(pairs.count + 1)
        guard next < min(256, COLOR_PAIRS) else { return 0 }
        init_pair(Int16(next), key.fg, key.bg)
        pairs[key] = next
        return next
    }
}
