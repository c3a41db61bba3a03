// Undo and redo in the composer: the edits a person made (not the bars the model wrote
// and auto-accept took), newest last, each holding what undoes and redoes it. The
// generation worker records and replays them on the session (CompositionSession+History).

import Generation
import Tokenization

/// A key choice: a key, or none (`free` lets the model modulate, else it keeps its key).
public struct KeyChoice: Hashable, Sendable {
    public var key: MusicalKey?
    public var free: Bool
}

enum Edit: Sendable {
    /// A take chosen for a bar, or a regeneration (which appends a take and selects it).
    case take(bar: Int, from: Int, to: Int)
    case rewind(CompositionSession.DroppedBar)
    /// A candidate accepted with enter.
    case accept
    case key(from: KeyChoice, to: KeyChoice)
    case settings(from: SamplingSettings, to: SamplingSettings)

    /// What the status line says about it ("bar 3: take 1").
    var description: String {
        switch self {
        case .take(let bar, _, _): return "the take of bar \(bar + 1)"
        case .rewind(let dropped): return "the rewind of bar \(dropped.index + 1)"
        case .accept: return "the accept"
        case .key: return "the key change"
        case .settings: return "the settings change"
        }
    }
}

struct EditHistory {
    private(set) var undoable: [Edit] = []
    private(set) var redoable: [Edit] = []
    /// Enough for an evening; the oldest edits go first.
    static let limit = 500

    /// A new edit: it can be undone, and what was undone before can no longer be redone.
    mutating func record(_ edit: Edit) {
        undoable.append(edit)
        if undoable.count > Self.limit { undoable.removeFirst() }
        redoable = []
    }

    mutating func popUndo() -> Edit? { undoable.popLast() }
    mutating func popRedo() -> Edit? { redoable.popLast() }
    /// After undoing `edit` (it moves to the redo side).
    mutating func undid(_ edit: Edit) { redoable.append(edit) }
    /// After redoing `edit` (back on the undo side, the redo side kept).
    mutating func redid(_ edit: Edit) { undoable.append(edit) }
}
