// A theme: the colours of every StyleRole, and how a CellStyle resolves to colours and
// attributes at a given colour depth (256 colours, 8 colours, or none for NO_COLOR and
// monochrome terminals). The file format and parser are in ThemeParser.swift.

/// A terminal colour: the terminal's default, or an index of the xterm 256-colour palette.
public enum ThemeColour: Hashable, Sendable {
    case terminalDefault
    case index(Int)   // 0...255

    /// The nearest of the 8 basic colours, for terminals without 256 colours.
    public var basic: ThemeColour {
        guard case .index(let i) = self else { return self }
        if i < 8 { return self }
        if i < 16 { return .index(i - 8) }
        let (r, g, b) = Self.rgb(i)
        let basics: [(Int, Int, Int)] = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
                                         (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229)]
        var best = 0, bestDistance = Int.max
        for (k, c) in basics.enumerated() {
            let d = (r - c.0) * (r - c.0) + (g - c.1) * (g - c.1) + (b - c.2) * (b - c.2)
            if d < bestDistance { best = k; bestDistance = d }
        }
        return .index(best)
    }

    /// The RGB value of an xterm palette index 16...255 (colour cube, then greys).
    static func rgb(_ i: Int) -> (Int, Int, Int) {
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let k = i - 16
        let level = { (n: Int) in n == 0 ? 0 : 55 + n * 40 }
        return (level(k / 36), level(k / 6 % 6), level(k % 6))
    }
}

public enum ColourDepth: Sendable { case colours256, colours8, none }

/// Colours and attributes for one cell, ready for the blitter.
public struct ResolvedStyle: Hashable, Sendable {
    public var foreground: ThemeColour
    public var background: ThemeColour
    public var bold = false
    public var reverse = false
    public var dim = false
    public var underline = false
}

public struct Theme: Hashable, Sendable {
    public var name: String
    public var background: ThemeColour
    public var text: ThemeColour
    public var dim: ThemeColour
    public var title: ThemeColour
    public var whiteKey: ThemeColour
    public var blackKey: ThemeColour
    public var keyLabel: ThemeColour
    public var barLine: ThemeColour
    public var barNumber: ThemeColour
    public var playhead: ThemeColour
    public var selection: ThemeColour
    public var candidate: ThemeColour
    public var statusForeground: ThemeColour
    public var statusBackground: ThemeColour
    public var message: ThemeColour
    public var warning: ThemeColour
    public var overlayForeground: ThemeColour
    public var overlayBackground: ThemeColour
    public var overlayKey: ThemeColour
    /// Eight colours from soft (level 0) to loud (level 7).
    public var velocity: [ThemeColour]
    /// Eight colours from improbable (level 0) to probable (level 7).
    public var probability: [ThemeColour]

    /// Colours and attributes of a cell. `probabilityMode` picks the note gradient.
    public func resolve(_ style: CellStyle, depth: ColourDepth, probabilityMode: Bool = false) -> ResolvedStyle {
        if depth == .none { return monochrome(style) }
        let map: (ThemeColour) -> ThemeColour = depth == .colours8 ? { $0.basic } : { $0 }
        let gradient = probabilityMode ? probability : velocity
        var fg = text, bg = background
        var out = ResolvedStyle(foreground: text, background: background)
        switch style.role {
        case .background: break
        case .text: break
        case .dimText: fg = dim
        case .title: fg = title
        case .whiteKey: fg = blackKey; bg = whiteKey
        case .blackKey: fg = blackKey; bg = whiteKey
        case .keyPair: fg = blackKey; bg = whiteKey
        case .keyLabel: fg = keyLabel
        case .barLine: fg = barLine
        case .barNumber: fg = barNumber
        case .playhead: fg = playhead
        case .selection: bg = selection
        case .candidateArea: bg = candidate
        case .note(let level): fg = gradient[min(max(level, 0), gradient.count - 1)]
        case .candidateNote(let level): fg = gradient[min(max(level, 0), gradient.count - 1)]; bg = candidate
        case .statusBar: fg = statusForeground; bg = statusBackground
        case .statusValue: fg = statusForeground; bg = statusBackground; out.bold = true
        case .message: fg = message
        case .warning: fg = warning
        case .overlay: fg = overlayForeground; bg = overlayBackground
        case .overlayKey: fg = overlayKey; bg = overlayBackground
        }
        if style.selected { bg = selection }
        if depth == .colours8, case .note(let level) = style.role, level >= 4 { out.bold = true }
        out.foreground = map(fg)
        out.background = map(bg)
        out.bold = out.bold || style.bold
        if case .candidateNote = style.role, depth == .colours8 { out.dim = true }
        return out
    }

    /// Without colours, roles become attributes: keys and the status bar in reverse video,
    /// the selection underlined, candidate notes dim.
    func monochrome(_ style: CellStyle) -> ResolvedStyle {
        var out = ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault)
        switch style.role {
        case .whiteKey, .blackKey, .keyPair, .statusBar, .statusValue, .overlayKey: out.reverse = true
        case .candidateNote, .candidateArea, .dimText, .barLine: out.dim = true
        case .title, .warning, .playhead: out.bold = true
        default: break
        }
        if style.selected { out.underline = true }
        out.bold = out.bold || style.bold
        return out
    }

    /// The default dark theme, compiled in so a broken or missing themes/ folder never
    /// leaves the composer without colours. themes/dark.theme holds the same values.
    public static let dark = Theme(
        name: "dark", background: .index(234), text: .index(252), dim: .index(244), title: .index(117),
        whiteKey: .index(252), blackKey: .index(236), keyLabel: .index(250), barLine: .index(240),
        barNumber: .index(248), playhead: .index(203), selection: .index(238), candidate: .index(236),
        statusForeground: .index(255), statusBackground: .index(24), message: .index(151), warning: .index(215),
        overlayForeground: .index(252), overlayBackground: .index(238), overlayKey: .index(222),
        velocity: [24, 25, 31, 37, 72, 142, 178, 209].map { .index($0) },
        probability: [54, 61, 25, 31, 36, 71, 149, 226].map { .index($0) })
}
