// `--soundfont FILE.sf2` for every command that renders audio (render, generate --wav, the
// composer's S): one spelling, one help text, one way to load it and report a bad file.
import ArgumentParsing
import Foundation
import Synthesis

enum SoundFontOption {
    static let spec = OptionSpec("soundfont", value: "FILE.sf2",
                                 help: "Render audio with the SoundFont's piano (bank 0, program 0) instead of the built-in piano")

    /// The SoundFont the options name, loaded (nil without the option); a bad file exits 1.
    static func load(_ arguments: ParsedArguments) throws -> SoundFont? {
        guard let path = arguments.string("soundfont") else { return nil }
        do { return try SoundFont(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CommandFailure("\(error)")
        }
    }
}
