// The composer's UI state and its one mutator: keys become commands, commands change
// the state and return effects (regenerate bar 3, save, quit...) for the app loop to carry
// out on the session and the player. No I/O, no clock, no ncurses: testable as is.

import Generation
import Tokenization

public enum ColourMode: String, Sendable { case velocity, probability }

/// A yes/no question shown in the status line; the next key answers it.
public enum Question: Hashable, Sendable {
    case quit, newPiece
    public var prompt: String {
        switch self {
        case .quit: return "The take is not saved. Quit anyway? (y/n)"
        case .newPiece: return "The take is not saved. Start a new piece anyway? (y/n)"
        }
    }
}

/// What the app loop must do after a command. State changes are already applied.
public enum Effect: Hashable, Sendable {
    case settingsChanged
    /// The tempo scale changed (it was `from`): playback moves to the new pace.
    case tempoChanged(from: Double)
    /// The key of the bars written from now on changed: a chosen key, or none; without one
    /// `free` lets the model change key at any bar instead of keeping the last bar's.
    case keyChanged(MusicalKey?, free: Bool)
    case selectTake(bar: Int, take: Int)
    case regenerate(bar: Int)
    case rewind
    case undo, redo
    case acceptCandidate
    /// Space: the music (playback and writing together) stops or goes on.
    case pauseMusic, resumeMusic
    /// w: writing alone stops (true) or goes on (false); playback is untouched.
    case writingPaused(Bool)
    /// a: candidates are accepted (and played) as they come (true), or wait for enter.
    case autoAcceptChanged(Bool)
    /// The loop (`loop`) was set, changed or cleared.
    case loopChanged
    /// Play from a bar's start; nil resumes where playback stopped.
    case play(fromBar: Int?)
    case stopPlayback
    case save(withAudio: Bool)
    case nextTheme
    case newPiece
    case quit
}

public struct ComposerState: Sendable {
    // What is on the roll.
    public var roll = RollSnapshot()
    // Sampling settings: the UI owns them and pushes them to the session.
    public var temperature: Double = 1.0
    public var topP: Double = 0.95
    /// How much faster than written the music plays and is saved (1 = as the model wrote it).
    public var tempoScale: Double = 1.0
    /// The key the next bars are written in; nil: the model's (kept from bar to bar unless `keyFree`).
    public var key: MusicalKey?
    public var keyFree = false
    /// The key the music is in now (the last bar's), where K and M start when no key is chosen.
    public var musicKey: MusicalKey?
    /// The model has KEY tokens (older checkpoints do not), so the key keys work.
    public var keysAvailable = true
    public var seed: UInt64 = 0
    /// The piece's length (`--bars`): the model stops writing there.
    public var totalBars: Int?
    /// The piece has all its bars.
    public var isFinished: Bool { totalBars.map { roll.acceptedBarCount >= $0 } ?? false }
    public var autoAccept = true
    /// Writing is paused (w, or after a rewind); playback goes on.
    public var paused = false
    /// The music is paused (space): playback and writing both wait.
    public var musicPaused = false
    /// A person is playing a phrase on the MIDI keyboard (the model listens).
    public var isRecording = false
    /// Call and response: when the person stops for a bar, the model answers.
    public var respond = false
    /// The model writes when no pause holds and nobody is playing.
    public var writingPaused: Bool { paused || musicPaused || isRecording }
    // Facts shown in the status line, set by the app.
    public var checkpointName = "no checkpoint"
    public var style: String?
    public var tokensPerSecond: Double = 0
    public var playbackDescription = "no sound"
    /// Nothing can be heard (the silent backend): the description is the reason.
    public var soundIsSilent = true
    public var isPlaying = false
    public var playheadBeats: Double?
    public var themeName = "dark"
    public var message = ""
    /// The take holds music that no save has written yet (set by the app).
    public var unsaved = false
    /// The model has finished writing (end of piece or candidate complete and waiting).
    public var waitingForAccept = false
    /// The model is as far ahead of the playhead as allowed.
    public var waitingForPlayhead = false
    // View.
    /// Index into roll.bars; nil means nothing is selected and the view follows the writing.
    public var selectedBar: Int?
    /// The first bar on screen last time it was drawn: a hint that keeps scrolling smooth.
    /// The app copies it from the layout after drawing; drawing itself never writes state.
    public var viewFirstBar = 0
    /// The bars playback repeats (indices into roll.bars), while takes are auditioned.
    public var loop: ClosedRange<Int>?
    public var colourMode: ColourMode = .velocity
    public var helpVisible = false
    public var question: Question?
    /// The digits typed after `g` (nil when no bar number is being typed).
    public var barNumberTyped: String?

    public static let tempoScaleRange = 0.25...4.0
    public static let temperatureRange = SamplingSettings.temperatureRange
    public static let topPRange = 0.05...1.0
    public static let settingStep = 0.05

    public init() {}

    /// The bar that bar commands act on: the selection, else the last bar.
    public var targetBar: Int? { selectedBar ?? (roll.bars.isEmpty ? nil : roll.bars.count - 1) }

    /// Routes one key: an open question or help takes it first, then the key table.
    public mutating func handle(_ key: Key) -> [Effect] {
        if let q = question {
            question = nil
            if key == .character("y") || key == .character("Y") {
                message = ""
                return q == .quit ? [.quit] : [.newPiece]
            }
            message = "cancelled"
            return []
        }
        if helpVisible {
            helpVisible = false
            return []
        }
        if let typed = barNumberTyped { return typeBarNumber(typed, key) }
        guard let command = KeyTable.command(for: key) else { return [] }
        return apply(command)
    }

    public mutating func apply(_ command: Command) -> [Effect] {
        switch command {
        case .toggleMusic:
            musicPaused.toggle()
            message = musicPaused ? "paused: space goes on" : paused ? "playing; writing still paused (w writes)" : "playing and writing"
            return [musicPaused ? .pauseMusic : .resumeMusic]
        case .toggleWriting:
            paused.toggle()
            message = paused ? "writing paused: w writes again" : "writing"
            return [.writingPaused(paused)]
        case .temperatureUp: return changeTemperature(by: Self.settingStep)
        case .temperatureDown: return changeTemperature(by: -Self.settingStep)
        case .tempoUp, .tempoDown:
            let before = tempoScale
            tempoScale = Self.clampRounded(tempoScale + (command == .tempoUp ? Self.settingStep : -Self.settingStep), Self.tempoScaleRange)
            message = String(format: "tempo x%.2f", tempoScale)
            return tempoScale == before ? [] : [.tempoChanged(from: before)]
        case .topPUp: return changeTopP(by: Self.settingStep)
        case .topPDown: return changeTopP(by: -Self.settingStep)
        case .keyUpAFifth, .switchMode, .freeKey:
            guard keysAvailable else { message = "this model has no KEY tokens: it always chooses its key"; return [] }
            switch command {
            case .keyUpAFifth: key = (key ?? musicKey ?? MusicalKey(tonic: 5, isMinor: false)).transposed(by: 7)
            case .switchMode:
                let current = key ?? musicKey ?? MusicalKey(tonic: 0, isMinor: false)
                key = current.isMinor ? MusicalKey(tonic: current.tonic + 3, isMinor: false) : MusicalKey(tonic: current.tonic + 9, isMinor: true)
            default: key = nil
            }
            keyFree = key == nil
            message = key.map { "next bars in \($0)" } ?? "free key: the model may change key at any bar"
            return [.keyChanged(key, free: keyFree)]
        case .selectPreviousBar:
            guard !roll.bars.isEmpty else { return [] }
            selectedBar = max(0, (selectedBar ?? roll.bars.count) - 1)
            return []
        case .selectNextBar:
            guard let s = selectedBar else { return [] }
            selectedBar = s + 1 < roll.bars.count ? s + 1 : nil
            if selectedBar == nil { message = "following the music" }
            return []
        case .selectFirstBar:
            guard !roll.bars.isEmpty else { return [] }
            selectedBar = 0
            return []
        case .followMusic:
            selectedBar = nil
            message = "following the music"
            return []
        case .goToBar:
            barNumberTyped = ""
            message = "go to bar: (type a number, enter)"
            return []
        case .previousTake, .nextTake:
            guard let b = targetBar, b < roll.bars.count else { return [] }
            let bar = roll.bars[b]
            guard bar.takeCount > 1 else {
                message = "bar \(b + 1) has one take; r writes another"
                return []
            }
            let step = command == .nextTake ? 1 : -1
            let take = (bar.takeIndex + step + bar.takeCount) % bar.takeCount
            message = "bar \(b + 1): take \(take + 1) of \(bar.takeCount)"
            return [.selectTake(bar: b, take: take)]
        case .toggleLoop:
            if loop != nil {
                loop = nil
                message = "loop off"
                return [.loopChanged]
            }
            guard let b = targetBar, b < roll.acceptedBarCount else { message = "no written bar to loop yet"; return [] }
            loop = b...b
            message = "looping bar \(b + 1): l stops, L extends it to the selected bar"
            return [.loopChanged]
        case .extendLoop:
            guard let current = loop, let b = selectedBar, b < roll.acceptedBarCount else {
                message = "l loops the selected bar first; then select another and press L"
                return []
            }
            loop = min(current.lowerBound, b)...max(current.upperBound, b)
            message = "looping bars \(loop!.lowerBound + 1)-\(loop!.upperBound + 1)"
            return [.loopChanged]
        case .regenerateBar:
            guard let b = targetBar else { message = "nothing to regenerate yet"; return [] }
            message = "regenerating bar \(b + 1)"
            return [.regenerate(bar: b)]
        case .rewind:
            guard !roll.bars.isEmpty else { message = "nothing to rewind"; return [] }
            if let s = selectedBar, s >= roll.bars.count - 1 { selectedBar = nil }
            // Writing waits, or the model would write the dropped bar again at once.
            paused = true
            message = "rewound one bar; writing paused (w writes again)"
            return [.rewind]
        case .acceptCandidate:
            return [.acceptCandidate]
        case .undo:
            message = "undoing..."
            return [.undo]
        case .redo:
            message = "redoing..."
            return [.redo]
        case .toggleRespond:
            respond.toggle()
            message = respond ? "call and response: play a phrase, the model answers when you stop for a bar"
                : "call and response off: what you play is recorded, w writes on"
            return []
        case .toggleAutoAccept:
            autoAccept.toggle()
            message = autoAccept ? "auto-accept on" : "auto-accept off: enter accepts each bar"
            return [.autoAcceptChanged(autoAccept)]
        case .togglePlay:
            if isPlaying { return [.stopPlayback] }
            musicPaused = false
            return [.play(fromBar: selectedBar)]
        case .save: return [.save(withAudio: false)]
        case .saveWithAudio: return [.save(withAudio: true)]
        case .nextTheme: return [.nextTheme]
        case .toggleColourMode:
            colourMode = colourMode == .velocity ? .probability : .velocity
            message = "colour by \(colourMode.rawValue)"
            return []
        case .newPiece:
            if unsaved { question = .newPiece; return [] }
            return [.newPiece]
        case .toggleHelp:
            helpVisible.toggle()
            return []
        case .quit:
            if unsaved { question = .quit; return [] }
            return [.quit]
        }
    }

    /// A key while a bar number is typed after `g`: digits add up, backspace takes one
    /// back, enter selects the bar, any other key cancels.
    private mutating func typeBarNumber(_ typed: String, _ key: Key) -> [Effect] {
        switch key {
        case .character(let c) where c.isASCII && c.isNumber && typed.count < 6:
            barNumberTyped = typed + String(c)
            message = "go to bar: \(typed + String(c))"
        case .backspace:
            barNumberTyped = String(typed.dropLast())
            message = "go to bar: \(typed.dropLast())"
        case .enter:
            barNumberTyped = nil
            guard let n = Int(typed), n >= 1, n <= roll.bars.count else {
                message = roll.bars.isEmpty ? "no bars yet" : "no bar \(typed): bars 1...\(roll.bars.count)"
                return []
            }
            selectedBar = n - 1
            message = "bar \(n)"
        default:
            barNumberTyped = nil
            message = "cancelled"
        }
        return []
    }

    private mutating func changeTemperature(by delta: Double) -> [Effect] {
        temperature = Self.clampRounded(temperature + delta, Self.temperatureRange)
        message = temperature == 0 ? "temperature 0: always the likeliest token" : ""
        return [.settingsChanged]
    }

    private mutating func changeTopP(by delta: Double) -> [Effect] {
        topP = Self.clampRounded(topP + delta, Self.topPRange)
        message = ""
        return [.settingsChanged]
    }

    /// Keeps settings on the 0.01 grid so repeated steps never show 1.1500000002.
    static func clampRounded(_ value: Double, _ range: ClosedRange<Double>) -> Double {
        let rounded = (value * 100).rounded() / 100
        return min(range.upperBound, max(range.lowerBound, rounded))
    }

    /// Replaces the roll (the session moved on) and keeps the selection valid.
    public mutating func update(roll newRoll: RollSnapshot) {
        roll = newRoll
        if let s = selectedBar, s >= roll.bars.count { selectedBar = roll.bars.isEmpty ? nil : roll.bars.count - 1 }
        if let l = loop, l.upperBound >= roll.acceptedBarCount { loop = nil }  // a looped bar was rewound
    }
}
