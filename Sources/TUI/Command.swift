// Everything a person can ask the composer to do, and the one key table that maps keys
// to commands. The same table drives dispatch, the `?` help overlay and the README's key
// list (`cadenza compose --keys` prints it), so they cannot disagree.

public enum Command: Hashable, Sendable, CaseIterable {
    case toggleMusic
    case toggleWriting
    case temperatureUp, temperatureDown
    case topPUp, topPDown
    case tempoUp, tempoDown
    case keyUpAFifth, switchMode, freeKey
    case selectPreviousBar, selectNextBar
    case selectFirstBar, followMusic, goToBar
    case previousTake, nextTake
    case regenerateBar
    case toggleLoop, extendLoop
    case rewind
    case undo, redo
    case acceptCandidate
    case toggleAutoAccept
    case toggleRespond
    case togglePlay
    case save
    case saveWithAudio
    case nextTheme
    case toggleColourMode
    case newPiece
    case toggleHelp
    case quit
}

/// A key as the app sees it, independent of ncurses' codes (TerminalScreen translates).
public enum Key: Hashable, Sendable {
    case character(Character)
    case up, down, left, right
    case home, end
    case enter, backspace, escape
    case resize
    /// Ctrl-C read as a key (when the terminal delivers it instead of SIGINT).
    case interrupt
    /// A key the composer does not use (a function key, say).
    case unknown
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the key is written in help: "+", "space", "left/right".
    public var label: String
    public var help: String
    public var command: Command
}

public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character(" ")], label: "space", help: "pause / resume the music (playing and writing)", command: .toggleMusic),
        KeyBinding(keys: [.character("w")], label: "w", help: "pause / resume writing only", command: .toggleWriting),
        KeyBinding(keys: [.character("+"), .character("=")], label: "+", help: "temperature up 0.05", command: .temperatureUp),
        KeyBinding(keys: [.character("-"), .character("_")], label: "-", help: "temperature down 0.05", command: .temperatureDown),
        KeyBinding(keys: [.character("]")], label: "]", help: "top-p up 0.05", command: .topPUp),
        KeyBinding(keys: [.character("[")], label: "[", help: "top-p down 0.05", command: .topPDown),
        KeyBinding(keys: [.character(">"), .character(".")], label: ">", help: "faster: tempo x0.05 up (playing, saved MIDI and WAV)", command: .tempoUp),
        KeyBinding(keys: [.character("<"), .character(",")], label: "<", help: "slower: tempo x0.05 down", command: .tempoDown),
        KeyBinding(keys: [.character("K")], label: "K", help: "key of the next bars a fifth up from the current one", command: .keyUpAFifth),
        KeyBinding(keys: [.character("M")], label: "M", help: "next bars in the relative major / minor", command: .switchMode),
        KeyBinding(keys: [.character("F")], label: "F", help: "free key: the model may change key at any bar", command: .freeKey),
        KeyBinding(keys: [.left, .character("h")], label: "left h", help: "select the previous bar", command: .selectPreviousBar),
        KeyBinding(keys: [.right], label: "right", help: "select the next bar (past the last: follow)", command: .selectNextBar),
        KeyBinding(keys: [.home], label: "Home", help: "select the first bar", command: .selectFirstBar),
        KeyBinding(keys: [.end, .escape], label: "End Esc", help: "follow the music (no bar selected)", command: .followMusic),
        KeyBinding(keys: [.character("g")], label: "g N enter", help: "go to bar N", command: .goToBar),
        KeyBinding(keys: [.up, .character("k")], label: "up k", help: "previous take of the selected bar", command: .previousTake),
        KeyBinding(keys: [.down, .character("j")], label: "down j", help: "next take of the selected bar", command: .nextTake),
        KeyBinding(keys: [.character("l")], label: "l", help: "loop the selected bar while you choose its take / stop looping", command: .toggleLoop),
        KeyBinding(keys: [.character("L")], label: "L", help: "extend the loop to the selected bar (a range of bars)", command: .extendLoop),
        KeyBinding(keys: [.character("r")], label: "r", help: "regenerate the selected bar (a new take)", command: .regenerateBar),
        KeyBinding(keys: [.backspace], label: "backspace", help: "rewind: drop the last bar and pause writing", command: .rewind),
        KeyBinding(keys: [.character("u")], label: "u", help: "undo (take, regenerate, rewind, accept, key, settings)", command: .undo),
        KeyBinding(keys: [.character("\u{12}")], label: "Ctrl-R", help: "redo", command: .redo),
        KeyBinding(keys: [.enter], label: "enter", help: "accept the candidate bar", command: .acceptCandidate),
        KeyBinding(keys: [.character("a")], label: "a", help: "auto-accept on / off", command: .toggleAutoAccept),
        KeyBinding(keys: [.character("i")], label: "i", help: "call and response with a MIDI keyboard on / off", command: .toggleRespond),
        KeyBinding(keys: [.character("p")], label: "p", help: "play from the selected bar / stop", command: .togglePlay),
        KeyBinding(keys: [.character("s")], label: "s", help: "save the take as MIDI", command: .save),
        KeyBinding(keys: [.character("S")], label: "S", help: "save the take as MIDI and WAV", command: .saveWithAudio),
        KeyBinding(keys: [.character("c")], label: "c", help: "colour notes by velocity / by probability", command: .toggleColourMode),
        KeyBinding(keys: [.character("t")], label: "t", help: "next theme", command: .nextTheme),
        KeyBinding(keys: [.character("n")], label: "n", help: "new piece (new seed)", command: .newPiece),
        KeyBinding(keys: [.character("?")], label: "?", help: "this help (any key closes it)", command: .toggleHelp),
        KeyBinding(keys: [.character("q")], label: "q", help: "quit", command: .quit),
    ]

    public static func command(for key: Key) -> Command? {
        bindings.first { $0.keys.contains(key) }?.command
    }

    /// The key list as Markdown table rows, for the README.
    public static func markdown() -> String {
        var out = "| key | what it does |\n| --- | --- |\n"
        for b in bindings { out += "| `\(b.label)` | \(b.help) |\n" }
        return out
    }
}
