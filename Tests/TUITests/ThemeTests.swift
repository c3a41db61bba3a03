// Theme files: the bundled ones parse, dark.theme matches the compiled-in default,
// mistakes name the file and line, colours degrade to 8 colours and to none.
import Foundation
import Testing
@testable import TUI

let themesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../themes").standardizedFileURL.path

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
