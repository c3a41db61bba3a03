// Where themes come from: the user's folder ($XDG_CONFIG_HOME/cadenza/themes, else
// ~/.config/cadenza/themes) first, then the bundled themes/ folder. Lists names, loads
// one by name, falls back to the compiled-in default with a message naming file and line.

import FileSafety
import Foundation

public struct ThemeCatalog: Sendable {
    /// Folders searched in order; earlier ones win when two hold the same name.
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The user's theme folder and the bundled one, found next to the executable
    /// (`.build/release/cadenza` -> `themes/`, or `<prefix>/bin` -> `<prefix>/share/cadenza/themes`)
    /// or in the current directory.
    public static func standard(environment: [String: String], executablePath: String, currentDirectory: String) -> ThemeCatalog {
        var dirs: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            dirs.append(xdg + "/cadenza/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            dirs.append(home + "/.config/cadenza/themes")
        }
        let exeDir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [exeDir.appendingPathComponent("../../../themes"), exeDir.appendingPathComponent("../../themes"),
                          exeDir.appendingPathComponent("../share/cadenza/themes"),
                          URL(fileURLWithPath: currentDirectory).appendingPathComponent("themes")] {
            let path = candidate.standardizedFileURL.path
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue, !dirs.contains(path) {
                dirs.append(path)
            }
        }
        return ThemeCatalog(directories: dirs)
    }

    /// Theme names available, the default first, then alphabetical.
    public func names() -> [String] {
        var found: Set<String> = ["dark"]
        for dir in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for f in files where f.hasSuffix(".theme") { found.insert(String(f.dropLast(6))) }
        }
        return ["dark"] + found.subtracting(["dark"]).sorted()
    }

    /// The file for a name (a path is taken as is), or nil.
    public func path(for name: String) -> String? {
        if name.contains("/") || name.hasSuffix(".theme") {
            return FileManager.default.fileExists(atPath: name) ? name : nil
        }
        for dir in directories {
            let p = dir + "/" + name + ".theme"
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// Largest theme file read (after following symlinks); a theme is a few lines.
    public static let maximumFileBytes = 65_536

    /// Loads a theme; throws for an unknown name or a bad file (the caller then uses
    /// Theme.dark and shows the message). Only regular files of at most 64 KiB are read.
    public func load(_ name: String) throws -> Theme {
        guard let path = path(for: name) else {
            if name == "dark" { return .dark }
            throw ComposerError.unknownTheme(name: name, available: names())
        }
        let size: Int
        do { size = try InputFile.regularFileSize(atPath: path) } catch {
            throw ComposerError.themeSyntax(file: path, line: 0, message: "\(error)")
        }
        if size > Self.maximumFileBytes {
            throw ComposerError.themeSyntax(file: path, line: 1, message: "the file is \(size) bytes; a theme is a few lines")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ComposerError.themeSyntax(file: path, line: 0, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ComposerError.themeSyntax(file: path, line: 1, message: "not UTF-8 text")
        }
        let baseName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try ThemeParser.parse(text, file: path, name: baseName)
    }

    /// The theme after `current` in names(), wrapping around.
    public func next(after current: String) -> String {
        let all = names()
        guard let i = all.firstIndex(of: current) else { return all.first ?? "dark" }
        return all[(i + 1) % all.count]
    }
}
