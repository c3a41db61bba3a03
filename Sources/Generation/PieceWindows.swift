// From a MIDI file to its windows, as music_eval.py's piece_windows and collect do: notes
// with the pedal folded in, bar lines from the file's own time signatures and tempo map
// (extended past the last one with the last bar's length), leading empty bars skipped, the
// first `bars` bars cut into windows of `window` bars; windows under 4 notes are dropped.
import Foundation
import MIDI

extension WindowMeasures {
    /// The windows of a piece, or nil when it has under 8 notes, fewer than two bar lines,
    /// not one full window, or is a file pretty_midi would not load.
    public static func pieceWindows(midi: MIDIFile, name: String = "", bars: Int = 16, window: Int = 4) -> PieceWindows? {
        guard bars > 0, window > 0, let view = PrettyMIDIView(midi: midi) else { return nil }
        let notes = stableSorted(view.instruments.filter { !$0.isDrum }.flatMap { $0.pedalFoldedNotes() },
                                 by: { ($0.start, -$0.pitch) < ($1.start, -$1.pitch) })
        guard notes.count >= 8, let beats = view.beats() else { return nil }
        var downbeats = view.downbeats(beats: beats)
        guard downbeats.count >= 2 else { return nil }
        let endTime = notes.reduce(-Double.infinity) { max($0, $1.end) }
        while downbeats.count < bars + 1 && downbeats[downbeats.count - 1] < endTime + 10 {
            let n = downbeats.count
            downbeats.append(downbeats[n - 1] + (downbeats[n - 1] - downbeats[n - 2]))
        }
        let startBar = max(0, NumPy.searchSortedRight(downbeats, notes[0].start) - 1)
        let barLines = Array(downbeats[min(startBar, downbeats.count)..<min(downbeats.count, startBar + bars + 1)])
        guard barLines.count >= window + 1 else { return nil }

        let context = WindowContext(beats: beats, tempoTimes: view.tempoTimes, tempi: view.tempi)
        var windows: [WindowMeasures] = []
        for w0 in stride(from: 0, to: barLines.count - window, by: window) {
            let lines = Array(barLines[w0...(w0 + window)])
            let inside = notes.filter { lines[0] <= $0.start && $0.start < lines[window] }
            guard inside.count >= 4 else { continue }
            windows.append(WindowMeasures(notes: inside, barLines: lines, context: context))
        }
        return windows.isEmpty ? nil : PieceWindows(name: name, windows: windows)
    }

    /// The windows of a MIDI file on disk; throws when the file cannot be read as MIDI.
    public static func pieceWindows(contentsOf url: URL, bars: Int = 16, window: Int = 4) throws -> PieceWindows? {
        pieceWindows(midi: try MIDIFile(contentsOf: url), name: url.path, bars: bars, window: window)
    }

    /// Every `*.mid` file under `folder` (recursively, hidden entries skipped, sorted by
    /// path as Python's sorted glob is); unreadable files and pieces without windows are left out.
    public static func collect(folder: URL, bars: Int = 16, window: Int = 4) -> [PieceWindows] {
        let root = folder.standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".mid") {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { paths.append(url.path) }
        }
        paths.sort { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        return paths.compactMap { (try? pieceWindows(contentsOf: URL(fileURLWithPath: $0), bars: bars, window: window)) ?? nil }
    }
}
