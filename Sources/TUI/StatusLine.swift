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
        if let loop = state.loop {
            fields.append(loop.count == 1 ? "loop \(loop.lowerBound + 1)" : "loop \(loop.lowerBound + 1)-\(loop.upperBound + 1)")
        }
        if state.tempoScale != 1 { fields.append(String(format: "tempo x%.2f", state.tempoScale)) }
        if let key = state.key { fields.append("key \(key)") } else if state.keyFree { fields.append("key free") }
        if let style = state.style { fields.append("style \(style)") }
        fields.append("bars \(state.roll.acceptedBarCount)" + (state.totalBars.map { " of \($0)" } ?? ""))
        fields.append(String(format: "%.0f tok/s", state.tokensPerSecond))
        if state.respond { fields.append("respond") }
        fields.append(state.isRecording ? "listening" : state.isFinished ? "finished: s saves" : state.musicPaused ? "paused" : state.paused ? "writing paused" : state.waitingForAccept ? "waiting: enter accepts, r rewrites"
                      : state.waitingForPlayhead ? "ahead of the playhead" : "writing")
        return fields
    }

    /// The second line: playback and auto-accept, then the last message if there is one,
    /// else the colour mode, theme and the help hint. `budget` is the room left of the message.
    public static func playbackFields(_ state: ComposerState, budget: Int = 120) -> [String] {
        // "playing: FLUID Synth", "stopped: ...", "playing (no sound: --no-audio)".
        let motion = state.isPlaying ? "playing" : "stopped"
        let playback = state.soundIsSilent ? "\(motion) (\(state.playbackDescription))" : "\(motion): \(state.playbackDescription)"
        let autoAccept = "auto-accept " + (state.autoAccept ? "on" : "off")
        // A long reason for silence uses the width there is, but never pushes auto-accept
        // and the message off the line.
        let limit = max(12, budget - autoAccept.count - 3)
        var fields = [playback.count > limit ? String(playback.prefix(limit - 3)) + "..." : playback, autoAccept]
        if state.message.isEmpty {
            fields += ["colour " + state.colourMode.rawValue, "theme \(state.themeName)", "? keys"]
        }
        return fields
    }

    /// Joins fields with two spaces, dropping whole fields from the end that do not fit;
    /// a first field too long for the line is cut short with "...".
    static func fit(_ fields: [String], width: Int) -> String {
        var out = ""
        for field in fields {
            let next = out.isEmpty ? " " + field : out + "  " + field
            if next.count > width {
                if out.isEmpty && width > 4 { out = String(next.prefix(width - 3)) + "..." }
                break
            }
            out = next
        }
        return out
    }

    /// `text` on two lines of `width`, broken at the last space that fits (else mid-word);
    /// nil when it needs more than two.
    static func wrap(_ text: String, width: Int) -> (String, String)? {
        let characters = Array(text)
        guard width > 0, characters.count <= 2 * width else { return nil }
        var cut = min(width, characters.count)
        if let space = characters[..<cut].lastIndex(of: " "), space > 0, characters.count - (space + 1) <= width - 1 { cut = space }
        let rest = characters[cut...].drop(while: { $0 == " " })
        guard rest.count <= width - 1 else { return nil }
        return (String(characters[..<cut]), " " + String(rest))
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
        if state.message.count + 1 > w, let (first, second) = wrap(" " + state.message, width: w) {
            // A message too long for the line (a theme error naming its file) takes both
            // status lines until the next message, so none of it is cut.
            grid.fill(rows: (h - 2)..<(h - 1), columns: 0..<w, with: Cell(" ", CellStyle(.text)))
            grid.write(first, row: h - 2, column: 0, style: CellStyle(.message))
            grid.write(second, row: h - 1, column: 0, style: CellStyle(.message))
            return
        }
        let message = state.message.isEmpty ? "" : " | " + state.message
        let budget = w - message.count
        let left = fit(playbackFields(state, budget: budget), width: max(0, budget))
        let end = grid.write(left, row: h - 1, column: 0, style: CellStyle(.text))
        if !message.isEmpty {
            // The message wins over the playback fields when the line is short.
            grid.write(message, row: h - 1, column: min(end, max(0, budget)), style: CellStyle(.message))
        }
    }
}
