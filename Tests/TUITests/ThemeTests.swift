// Theme files: the bundled ones parse, dark.theme matches the compiled-in default,
// mistakes name the file and line, colours degrade to 8 colours and to none.
import Foundation
import Testing
import TestSupport
@testable import TUI

let themesDirectory = Fixtures.repository.appendingPathComponent("themes").path

@Suite struct ThemeTests {
    @Test func bundledThemesParseAndDarkMatchesTheBuiltIn() throws {
        let catalog = ThemeCatalog(directories: [themesDirectory])
        #expect(catalog.names() == ["dark", "high-contrast", "light"])
        #expect(try catalog.load("dark") == Theme.dark)
        let light = try catalog.load("light")
        #expect(light.name == "light" && light.background == .index(255))
        #expect(try catalog.load("high-contrast").velocity.count == 8)
        #expect(catalog.next(after: "light") == "dark")
    }

    @Test func mistakesNameTheFileAndLine() {
        let text = "# comment\nbackground = 12\nvelocity = 1 2 3\n"
        #expect(throws: ComposerError.themeSyntax(file: "x.theme", line: 3, message: "'velocity' needs 8 colours (soft to loud), found 3")) {
            try ThemeParser.parse(text, file: "x.theme", name: "x")
        }
        do {
            _ = try ThemeParser.parse("\n\nplayhed = red", file: "y.theme", name: "y")
            Issue.record("unknown key accepted")
        } catch {
            #expect("\(error)".hasPrefix("y.theme:3: unknown key 'playhed'"))
        }
        #expect(throws: ComposerError.self) { try ThemeParser.parse("text = 256", file: "z", name: "z") }
        #expect(throws: ComposerError.self) { try ThemeParser.parse("text", file: "z", name: "z") }
        #expect(throws: ComposerError.self) { try ThemeParser.parse("text = purple", file: "z", name: "z") }
    }

    @Test func windowsLineEndingsParse() throws {
        let t = try ThemeParser.parse("# made on Windows\r\nname = crlf\r\ntext = 15\r\n\r\nplayhead = red\r\n", file: "w.theme", name: "w")
        #expect(t.name == "crlf" && t.text == .index(15) && t.playhead == .index(1))
        #expect(throws: ComposerError.themeSyntax(file: "w.theme", line: 2, message: "bad colour 'purple'; use 0-255, 'default' or a name such as 'blue' or 'bright-blue'")) {
            try ThemeParser.parse("text = 1\r\ntext = purple\r\n", file: "w.theme", name: "w")
        }
    }

    /// The unknown-key message is short enough to be shown whole in the status line.
    @Test func anUnknownKeyMessageShowsWhole() throws {
        #expect(throws: ComposerError.themeSyntax(file: "y.theme", line: 3, message: "unknown key 'playhed' (did you mean 'playhead'?)")) {
            try ThemeParser.parse("\n\nplayhed = red", file: "y.theme", name: "y")
        }
        #expect(throws: ComposerError.themeSyntax(file: "y.theme", line: 1, message: "unknown key 'wallpaper' (themes/README.md lists the keys)")) {
            try ThemeParser.parse("wallpaper = red", file: "y.theme", name: "y")
        }
        var s = ComposerState()
        s.message = "\(ComposerError.themeSyntax(file: "/home/someone/.config/cadenza/themes/mine.theme", line: 3, message: "unknown key 'playhed' (did you mean 'playhead'?)"))"
        let grid = ScreenView.render(s, width: 80, height: 24)
        let shown = (grid.line(22) + grid.line(23)).split(separator: " ").joined(separator: " ")
        #expect(shown == s.message, "\(grid.line(22))|\(grid.line(23))")
    }

    @Test func onlyRegularFilesOfAtMost64KiBAfterSymlinksAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = ThemeCatalog(directories: [dir.path])
        // A symlink to a 10 MB file: the size is the target's.
        let big = dir.appendingPathComponent("big.bin")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        try FileHandle(forWritingTo: big).truncate(atOffset: 10_000_000)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("huge.theme"), withDestinationURL: big)
        #expect(throws: ComposerError.themeSyntax(file: dir.path + "/huge.theme", line: 1, message: "the file is 10000000 bytes; a theme is a few lines")) {
            try catalog.load("huge")
        }
        #expect(mkfifo(dir.path + "/pipe.theme", 0o600) == 0)
        #expect(throws: ComposerError.themeSyntax(file: dir.path + "/pipe.theme", line: 0, message: "is not a regular file")) {
            try catalog.load("pipe")
        }
    }

    @Test func partialThemesKeepTheDefaults() throws {
        let t = try ThemeParser.parse("text = bright-white  # white\n\nplayhead=default", file: "p", name: "p")
        #expect(t.text == .index(15) && t.playhead == .terminalDefault && t.background == Theme.dark.background)
        #expect(t.name == "p")
    }

    @Test func userFolderWinsAndUnknownNamesAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cadenza-themes-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name = mine\nbackground = 17\n".write(to: dir.appendingPathComponent("light.theme"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(directories: [dir.path, themesDirectory])
        #expect(try catalog.load("light").background == .index(17))
        #expect(throws: ComposerError.self) { try catalog.load("nosuchtheme") }
        let standard = ThemeCatalog.standard(environment: ["XDG_CONFIG_HOME": "/xdg"], executablePath: "/nowhere/bin/cadenza",
                                             currentDirectory: "/nowhere")
        #expect(standard.directories.first == "/xdg/cadenza/themes")
    }

    @Test func coloursDegradeTo8ColoursAndToNone() {
        #expect(ThemeColour.index(196).basic == .index(1))   // bright red -> red
        #expect(ThemeColour.index(234).basic == .index(0))   // near black -> black
        #expect(ThemeColour.index(252).basic == .index(7))   // light grey -> white
        #expect(ThemeColour.index(12).basic == .index(4))
        let selectedNote = CellStyle(.note(level: 7), selected: true)
        let full = Theme.dark.resolve(selectedNote, depth: .colours256)
        #expect(full.foreground == .index(209) && full.background == Theme.dark.selection)
        let none = Theme.dark.resolve(selectedNote, depth: .none)
        #expect(none.foreground == .terminalDefault && none.underline)
        #expect(Theme.dark.resolve(CellStyle(.whiteKey), depth: .none).reverse)
        #expect(Theme.dark.resolve(CellStyle(.note(level: 0)), depth: .colours256, probabilityMode: true).foreground == .index(54))
    }
}
