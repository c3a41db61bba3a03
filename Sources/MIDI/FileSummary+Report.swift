// The human-readable text of `cadenza info` for one file: a title line, then one
// "label: value" line per fact. Long lists (tracks, signature changes) are shortened.

extension FileSummary {
    public func report() -> String {
        var lines = [file]
        func row(_ label: String, _ value: String) {
            let title = label + ":"
            lines.append("  " + title + String(repeating: " ", count: max(1, 13 - title.count)) + value)
        }
        row("format", "\(format), \(division), \(tracks.count) track\(tracks.count == 1 ? "" : "s"), \(bytes) bytes")
        for t in tracks {
            let name = t.name.map { "\"\($0)\"" } ?? "(no name)"
            row("track \(t.index)", "\(name), \(t.events) events" + (t.notes > 0 ? ", \(t.notes) notes" : ""))
        }
        let channels = notesPerChannel.keys.compactMap(Int.init).sorted()
            .map { "channel \($0): \(notesPerChannel[String($0)]!)" }
        row("notes", "\(notes)" + (channels.isEmpty ? "" : " (" + channels.joined(separator: ", ") + ")"))
        row("tempo", "\(formatted(initialBeatsPerMinute, places: 1)) BPM at the start, \(tempoChanges) tempo event\(tempoChanges == 1 ? "" : "s")")
        row("time", signatureList(timeSignatures, none: "none (4/4 assumed)"))
        row("key", signatureList(keySignatures, none: "none"))
        row("duration", "\(formatted(durationSeconds, places: 1)) s" + (durationBars.map { ", \($0) bar\($0 == 1 ? "" : "s")" } ?? " (SMPTE timing: no bars)"))
        if let low = lowestPitch, let high = highestPitch {
            row("pitch range", "\(FileSummary.pitchName(low)) (\(low)) to \(FileSummary.pitchName(high)) (\(high))")
        } else {
            row("pitch range", "no notes")
        }
        row("sustain", sustainPedalUsed ? "pedal used (\(sustainPedalPresses) press\(sustainPedalPresses == 1 ? "" : "es"))" : "pedal not used")
        if sysexEvents > 0 { row("sysex", "\(sysexEvents) message\(sysexEvents == 1 ? "" : "s")") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func signatureList(_ list: [Signature], none: String) -> String {
        if list.isEmpty { return none }
        if list.count == 1 && list[0].ticks == 0 { return list[0].value }
        let shown = list.prefix(8).map { s in s.value + (s.bar.map { " (bar \($0))" } ?? " (tick \(s.ticks))") }
        return shown.joined(separator: ", ") + (list.count > 8 ? ", and \(list.count - 8) more" : "")
    }
}

/// A fixed number of decimal places without Foundation's locale-dependent formatting.
func formatted(_ value: Double, places: Int) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let whole = Int(rounded / scale)
    let fraction = Int(rounded - Double(whole) * scale)
    var digits = String(fraction)
    while digits.count < places { digits = "0" + digits }
    return (value < 0 && rounded > 0 ? "-" : "") + String(whole) + (places > 0 ? "." + digits : "")
}
