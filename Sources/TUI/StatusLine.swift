// The two status lines under the roll. The first holds the settings a person (or a
// script reading the screen) checks at a glance: `temp 1.00  top-p 0.95  seed 3`; the
// second the playback backend, auto-accept and the last message or an open question.

import Foundation

public enum StatusLine {
    /// The fields of the settings line, in order; the renderer drops those that do not fit.
    public static func settingsFields(_ state: ComposerState) -> [String] {
        var fields = [
            state.checkpointName,
            String(format: "temp %.2f", state.temperature),
            String(format: "top-p %.2f", state.topP),
            "seed \(state.seed)",
        ]
        if let style = state.style { fields.append("style \(style)") }
        fields.append("bars \(state.roll.acceptedBarCount)")
        fields.append(String(format: "%.0f tok/s", state.tokensPerSecond))
        fields.append(state.paused ? "paused" : state.waitingForAccept ? "waiting: enter accepts, r rewrites" : "writing")
        return fields
    }

    public static func playbackFields(_ state: ComposerState) -> [String] {
        [
            (state.isPlaying ? "playing: " : "") + state.playbackDescription,
            "auto-accept " + (state.autoAccept ? "on" : "off"),
            "colour " + state.colourMode.rawValue,
            "theme \(state.themeName)",
            "? keys",
        ]
    }

    /// Joins fields with two spaces, dropping whole fields from the end that do not fit.
    static func fit(_ fields: [String], width: Int) -> String {
        var out = ""
        for field in fields {
            let next = out.isEmpty ? " " + field : out + "  " + field
            if next.count > width { break }
            out = next
        }
        return out
    }

    public static func draw(_ state: ComposerState, into grid: inout CellGrid) {
        let w = grid.width, h = grid.height
        guard h >= 2 else { return }
        let bar = CellStyle(.statusBar)
        grid.fill(rows: (h - 2)..<(h - 1), columns: 0..<w, with: Cell(" ", bar))
        grid.write(fit(settingsFields(state), width: w), row: h - 2, column: 0, style: bar)
        grid.fill(rows: (h - 1)..<h, columns: 0..<w, with: Cell(" ", CellStyle(.text)))
        if let question = state.question {
            grid.write(" " + question.prompt, row: h - 1, column: 0, style: CellStyle(.warning, bold: true))
            return
        }
        let left = fit(playbackFields(state), width: w)
        let end = grid.write(left, row: h - 1, column: 0, style: CellStyle(.text))
        if !state.message.isEmpty && end + 4 < w {
            grid.write("  " + state.message, row: h - 1, column: end, style: CellStyle(.message))
        }
    }
}
