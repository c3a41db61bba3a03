// Channel volume (CC7) and expression (CC11) of a MIDI file, on the score's tick grid:
// what a renderer needs to play a file at the level its author set (FluidSynth does), while
// the piano score leaves them out (its tokens carry velocity only). As the score merges
// every non-drum channel into one piano, the latest change on any of them holds.

/// A change of channel volume (controller 7) or expression (controller 11) at `ticks`.
public struct LevelChange: Hashable, Sendable {
    public var ticks: Int
    public var controller: Int
    public var value: Int

    public init(ticks: Int, controller: Int, value: Int) {
        self.ticks = ticks
        self.controller = controller
        self.value = value
    }

    public static let volume = 7, expression = 11
}

extension PianoScore {
    /// Every CC7 and CC11 of the file's non-drum channels in time order, in the ticks of
    /// `PianoScore(midi:)` (SMPTE files converted the same way); repeats of the value in force dropped.
    public static func levelChanges(in midi: MIDIFile) -> [LevelChange] {
        let convert = timeBase(of: midi.division).convert
        var changes: [(change: LevelChange, order: Int)] = []
        for track in midi.tracks {
            for timed in track.events {
                guard case .channel(.controlChange(let channel, let controller, let value)) = timed.event,
                      channel != 9, controller == 7 || controller == 11 else { continue }
                changes.append((LevelChange(ticks: convert(max(0, timed.ticks)), controller: Int(controller), value: Int(value)), changes.count))
            }
        }
        changes.sort { ($0.change.ticks, $0.order) < ($1.change.ticks, $1.order) }
        var inForce = [LevelChange.volume: 100, LevelChange.expression: 127]   // General MIDI power-on values
        var out: [LevelChange] = []
        for (change, _) in changes where inForce[change.controller] != change.value {
            inForce[change.controller] = change.value
            out.append(change)
        }
        return out
    }
}
