// Reads a theme file (format documented in themes/README.md, version 1): lines of
// `key = value`, `#` comments; colours as 0-255 or names. Keys left out keep the default
// theme's colours. Any mistake is an error naming the file and line; never a crash.
import ArgumentParsing

public enum ThemeParser {
    static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "grey": 8, "gray": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// The single-colour keys and where each goes in a Theme.
    static let colourKeys: [String: WritableKeyPath<Theme, ThemeColour>] = [
        "background": \.background, "text": \.text, "dim": \.dim, "title": \.title,
        "white-key": \.whiteKey, "black-key": \.blackKey, "key-label": \.keyLabel,
        "bar-line": \.barLine, "bar-number": \.barNumber, "playhead": \.playhead,
        "selection": \.selection, "candidate": \.candidate,
        "status-fg": \.statusForeground, "status-bg": \.statusBackground,
        "message": \.message, "warning": \.warning,
        "overlay-fg": \.overlayForeground, "overlay-bg": \.overlayBackground, "overlay-key": \.overlayKey,
    ]
    static let gradientKeys: [String: WritableKeyPath<Theme, [ThemeColour]>] = [
        "velocity": \.velocity, "probability": \.probability,
    ]

    /// Parses theme text. `file` names the source in error messages; `name` is the theme's
    /// name unless the file sets one.
    public static func parse(_ text: String, file: String, name: String) throws -> Theme {
        var theme = Theme.dark
        theme.name = name
        var lineNumber = 0
        // Lines end in LF or CRLF (a Swift Character holds "\r\n" whole, so split on isNewline).
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let fail = { (message: String) in ComposerError.themeSyntax(file: file, line: lineNumber, message: message) }
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.stripping(" \t\r")
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw fail("expected 'key = value', found '\(trimmed.prefix(40))'")
            }
            let key = trimmed[..<equals].stripping(" \t").lowercased()
            let value = trimmed[trimmed.index(after: equals)...].stripping(" \t")
            if key == "name" {
                guard !value.isEmpty else { throw fail("the name is empty") }
                theme.name = String(value.prefix(40))
            } else if key == "version" {
                guard value == "1" else { throw fail("unsupported theme version '\(value.prefix(10))'; this Cadenza reads version 1") }
            } else if let path = colourKeys[key] {
                theme[keyPath: path] = try colour(value, fail)
            } else if let path = gradientKeys[key] {
                let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
                guard parts.count == 8 else { throw fail("'\(key)' needs 8 colours (soft to loud), found \(parts.count)") }
                theme[keyPath: path] = try parts.map { try colour(String($0), fail) }
            } else {
                // Short enough for the status line, where the message is shown.
                let known = Array(colourKeys.keys) + Array(gradientKeys.keys) + ["name", "version"]
                let hint = ArgumentParser.suggestion(for: key, among: known).map { "did you mean '\($0)'?" }
                    ?? "themes/README.md lists the keys"
                throw fail("unknown key '\(key.prefix(40))' (\(hint))")
            }
        }
        return theme
    }

    static func colour(_ word: String, _ fail: (String) -> ComposerError) throws -> ThemeColour {
        let w = word.lowercased()
        if w == "default" { return .terminalDefault }
        if let n = names[w] { return .index(n) }
        if let n = Int(w), (0...255).contains(n) { return .index(n) }
        throw fail("bad colour '\(word.prefix(20))'; use 0-255, 'default' or a name such as 'blue' or 'bright-blue'")
    }
}

extension StringProtocol {
    func stripping(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
