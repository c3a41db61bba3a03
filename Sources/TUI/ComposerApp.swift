// The app loop: read a key (15 ms timeout), turn it into effects through ComposerState,
// carry them out on the generation worker and the player, pull the newest snapshot, feed
// the player, render the screen and blit it. Only this thread touches the terminal.

import FileSafety
import Foundation
import Generation
import MIDI
import Playback
import Synthesis

public final class ComposerApp {
    public enum Ending: Equatable {
        case quit
        case signal(Int32)
        /// The model cannot write (e.g. NaN logits): the message says why.
        case failure(String)
    }

    let terminal: TerminalDevice
    let worker: GenerationWorker
    let player: Player
    let catalog: ThemeCatalog
    let options: ComposerOptions
    let makeSession: @Sendable (UInt64) throws -> CompositionSession
    /// Set by the signal handlers; read by the loop.
    let signals: SignalFlag

    public internal(set) var state = ComposerState()
    var theme: Theme = .dark
    /// The theme name asked for last (it may have failed to load): `t` moves on from it.
    var lastThemeTried = "dark"
    /// The worker's newest snapshot, and the same in played time (`tempoScale` applied),
    /// which everything here that talks to the player uses.
    var rawSnapshot: SessionSnapshot
    var snapshot: SessionSnapshot
    var scheduled: [Int: [PlaybackNote]] = [:]
    var savedVersion = -1
    /// Where playback waits for the model when it has played everything written (the end
    /// of the music, in seconds); it goes on from there when the next bar arrives.
    var heldAtSeconds: Double?
    /// The last bar the worker may write, as `sync` last computed it from the playhead.
    var barLimit = Int.max
    /// Messages from background saves (WAV rendering), shown by the loop.
    let outbox = Outbox()
    /// The MIDI keyboard (cadenza:in), what is being played on it, and where it goes.
    let keyboard: MIDIKeyboard?
    var recorder = PhraseRecorder()
    var phraseBar = 0
    /// After a played phrase, playback goes on at the model's answer (this bar), not the phrase.
    var pendingResponseBar: Int?

    public init(terminal: TerminalDevice, worker: GenerationWorker, player: Player, catalog: ThemeCatalog,
                options: ComposerOptions, checkpointName: String, signals: SignalFlag,
                makeSession: @escaping @Sendable (UInt64) throws -> CompositionSession, keyboard: MIDIKeyboard? = nil) {
        self.keyboard = keyboard
        self.terminal = terminal
        self.worker = worker
        self.player = player
        self.catalog = catalog
        self.options = options
        self.makeSession = makeSession
        self.signals = signals
        rawSnapshot = worker.take().snapshot
        snapshot = rawSnapshot
        state.temperature = options.temperature
        state.topP = options.topP
        state.key = options.key
        state.keyFree = options.freeKey
        state.keysAvailable = worker.take().snapshot.hasKeyTokens
        state.seed = options.seed
        state.totalBars = options.totalBars
        state.respond = options.respond
        state.style = options.style
        state.checkpointName = checkpointName
        state.playbackDescription = player.statusDescription
        state.soundIsSilent = player.isSilent
    }

    /// Applies the theme named in the options (or the default), reporting a bad file.
    func loadTheme(_ name: String) {
        lastThemeTried = name
        do {
            theme = try catalog.load(name)
            state.themeName = theme.name
            state.message = "theme \(theme.name)"
        } catch {
            theme = .dark
            state.themeName = "dark"
            state.message = "\(error)"
        }
    }

    /// Runs until `q` (answered) or a signal. The caller restores the terminal afterwards.
    public func run() -> Ending {
        loadTheme(options.themeName ?? "dark")
        // The limit goes to the worker before its first token: a fast model otherwise wrote
        // past a short --bars (to the worker's own default) before the loop's first frame.
        barLimit = writingLimit(playingBar: 0)
        sendControls()
        worker.start()
        player.play(fromSeconds: 0)
        var ending: Ending?
        while ending == nil {
            if let s = signals.received { ending = .signal(s); break }
            if let key = terminal.readKey(timeoutMilliseconds: 15) {
                if key == .interrupt { ending = .signal(SIGINT); break }
                if key != .resize {
                    for effect in state.handle(key) {
                        if perform(effect) { ending = .quit }
                    }
                }
            }
            listen()
            if let failure = sync() { ending = .failure(failure); break }
            draw()
        }
        worker.stop()
        player.stop()
        return ending ?? .quit
    }

    func draw() {
        let width = terminal.width, height = terminal.height
        let grid = ScreenView.render(state, width: width, height: height)
        // The view's first bar becomes the next scrolling hint (the state changes here, not in drawing).
        if let layout = ScreenView.layout(state, width: width, height: height), let first = layout.firstBar {
            state.viewFirstBar = first
        }
        terminal.draw(grid, theme: theme, probabilityMode: state.colourMode == .probability)
    }

    /// Pulls the worker's newest snapshot into the state and keeps the player in step.
    /// Returns the worker's failure, if writing has stopped for good.
    @discardableResult
    func sync() -> String? {
        let published = worker.take()
        for message in published.messages { state.message = message }
        for message in outbox.drain() { state.message = message }
        // An undo or redo of a settings or key change: show what the session writes with.
        if let settings = published.restoredSettings {
            state.temperature = settings.temperature
            state.topP = settings.topP
        }
        if let choice = published.restoredKey {
            state.key = choice.key
            state.keyFree = choice.free
        }
        state.tokensPerSecond = published.tokensPerSecond
        state.waitingForAccept = published.waitingForAccept
        state.waitingForPlayhead = published.waitingForPlayhead
        if published.snapshot.version != rawSnapshot.version || state.roll.bars.count != published.snapshot.bars.count {
            rawSnapshot = published.snapshot
            snapshot = SessionBridge.timeScaled(rawSnapshot, tempoScale: state.tempoScale)
            state.update(roll: SessionBridge.roll(snapshot))
            state.musicKey = snapshot.currentKey
        }
        state.unsaved = snapshot.version != savedVersion && snapshot.bars.contains { !$0.notes.isEmpty }
        // Playback: accepted bars, and the candidate while auto-accept is on.
        var wanted: Set<Int> = []
        for (i, bar) in snapshot.bars.enumerated() where !bar.isCandidate || state.autoAccept {
            wanted.insert(i)
            let notes = SessionBridge.playbackNotes(bar)
            if scheduled[i] != notes {
                player.schedule(bar: i, notes: notes)
                scheduled[i] = notes
            }
        }
        for i in scheduled.keys where !wanted.contains(i) {
            player.removeBar(i)
            scheduled[i] = nil
        }
        // The playhead. At the end of the written music playback waits for the next bar
        // (the model is slower, or auto-accept is off) and goes on when it is there.
        // A loop starts again each time playback reaches its end (not after p or space).
        if let loop = state.loop, !state.musicPaused, player.state == .stopped { playLoop(loop) }
        let musicEnd = endOfPlayedMusic()
        // After a played phrase: playback goes on where the model's answer starts.
        if let answer = pendingResponseBar, answer < snapshot.bars.count, snapshot.bars[answer].isComplete {
            pendingResponseBar = nil
            heldAtSeconds = nil
            player.play(fromSeconds: snapshot.bars[answer].startSeconds)
        }
        if pendingResponseBar == nil, let held = heldAtSeconds, !state.musicPaused, musicEnd > held + 0.01 {
            heldAtSeconds = nil
            player.play(fromSeconds: held)
        }
        let position = heldAtSeconds ?? player.positionSeconds
        if player.state == .playing, position > musicEnd + 0.25 {
            player.pause()
            heldAtSeconds = musicEnd
        }
        state.isPlaying = player.state == .playing || (heldAtSeconds != nil && !state.isFinished)
        state.playheadBeats = player.state == .stopped && position == 0 ? nil : SessionBridge.beats(atSeconds: position, in: snapshot)
        var playingBar = SessionBridge.barIndex(atSeconds: position, in: snapshot) ?? 0
        if let loop = state.loop { playingBar = min(playingBar, loop.upperBound) }  // at the loop's end, not past it
        barLimit = writingLimit(playingBar: playingBar)
        sendControls()
        return published.failure
    }

    /// The last bar the worker may write with the playhead in `playingBar`: the lookahead,
    /// never past --bars.
    func writingLimit(playingBar: Int) -> Int {
        min(playingBar + options.lookaheadBars + 1, options.totalBars ?? .max)
    }

    /// Tells the worker whether to write, whether to accept candidates itself, and how far.
    func sendControls() {
        worker.setControls(paused: state.writingPaused, autoAccept: state.autoAccept, barLimit: barLimit)
    }

    /// Takes what the MIDI keyboard sent: the first key of a phrase cuts the piece at the
    /// next bar line after the playhead (the model stops and listens); a bar of silence
    /// ends the phrase, which goes into the piece there, and with call and response on
    /// the model answers.
    func listen() {
        guard let keyboard else { return }
        for event in keyboard.drain() {
            if !recorder.isRecording && event.velocity > 0 {
                let position = heldAtSeconds ?? player.positionSeconds
                let playing = SessionBridge.barIndex(atSeconds: position, in: snapshot)
                phraseBar = min(playing.map { $0 + 1 } ?? 0, snapshot.acceptedBarCount)
                pendingResponseBar = nil
                state.isRecording = true
                state.message = "listening: your phrase goes in at bar \(phraseBar + 1)"
                worker.post(.cut(fromBar: phraseBar))
            }
            recorder.add(event)
        }
        guard recorder.isRecording else { return }
        let meter = currentMeter()
        let now = MIDIKeyboard.now()
        guard recorder.phraseHasEnded(nowSeconds: now, silenceSeconds: meter.barSeconds) else { return }
        let notes = recorder.takePhrase(nowSeconds: now)
        let tokenizer = worker.withSession { $0.tokenizer }
        let bars = PhraseEncoder.bars(notes, tokenizer: tokenizer, beatsPerBar: meter.beatsPerBar, hintBPM: meter.bpm)
        worker.post(.insertPlayed(bars, atBar: phraseBar))
        state.isRecording = false
        if state.respond {
            pendingResponseBar = phraseBar + bars.count
            state.message = "the model answers your \(notes.count) notes (bars \(phraseBar + 1)-\(phraseBar + bars.count))"
        } else {
            state.paused = true
            state.message = "your \(notes.count) notes are in the piece from bar \(phraseBar + 1); w writes on"
        }
    }

    /// The meter and pace of the last bar written: quarters per bar, quarters per minute
    /// and the seconds a bar lasts as played (4/4 at 120 before anything is written).
    func currentMeter() -> (beatsPerBar: Int, bpm: Double, barSeconds: Double) {
        guard let last = rawSnapshot.bars.indices.last(where: { !rawSnapshot.bars[$0].isCandidate }) else { return (4, 120, 2) }
        let quarters = Double(rawSnapshot.bars[last].lengthTicks) / Double(max(1, rawSnapshot.ticksPerQuarter))
        let seconds = SessionBridge.durationSeconds(ofBar: last, in: rawSnapshot)
        return (max(1, Int(quarters.rounded())), 60 * quarters / max(0.05, seconds), seconds / state.tempoScale)
    }

    /// Plays the looped bars once (`sync` starts them again).
    func playLoop(_ loop: ClosedRange<Int>) {
        guard let (start, end) = loopSeconds(loop) else { return }
        player.play(fromSeconds: start, untilSeconds: end)
    }

    /// Where the looped bars start and end, in played seconds.
    func loopSeconds(_ loop: ClosedRange<Int>) -> (start: Double, end: Double)? {
        guard loop.upperBound < snapshot.bars.count else { return nil }
        return (snapshot.bars[loop.lowerBound].startSeconds,
                snapshot.bars[loop.upperBound].startSeconds + SessionBridge.durationSeconds(ofBar: loop.upperBound, in: snapshot))
    }

    /// Seconds at which the music scheduled for playback ends (accepted bars, and the
    /// candidate with auto-accept on).
    func endOfPlayedMusic() -> Double {
        guard let last = snapshot.bars.indices.last(where: { !snapshot.bars[$0].isCandidate || state.autoAccept }) else { return 0 }
        return snapshot.bars[last].startSeconds + SessionBridge.durationSeconds(ofBar: last, in: snapshot)
    }

    /// Carries out one effect; returns true to quit.
    func perform(_ effect: Effect) -> Bool {
        switch effect {
        case .writingPaused, .autoAcceptChanged:
            sendControls()  // at once, not at the next frame
        case .keyChanged(let key, let free):
            worker.post(.key(key, free: free))
        case .loopChanged:
            heldAtSeconds = nil
            if let loop = state.loop {
                playLoop(loop)
            } else if player.state == .playing {
                player.play(fromSeconds: player.positionSeconds)  // on from here, no end
            }
        case .tempoChanged(let from):
            // The same moment of the music at the new pace.
            let ratio = from / state.tempoScale
            snapshot = SessionBridge.timeScaled(rawSnapshot, tempoScale: state.tempoScale)
            if let held = heldAtSeconds {
                heldAtSeconds = held * ratio
            } else if player.state == .playing || player.state == .paused {
                let paused = player.state == .paused
                player.play(fromSeconds: player.positionSeconds * ratio, untilSeconds: state.loop.flatMap { loopSeconds($0)?.end })
                if paused { player.pause() }
            }
        case .settingsChanged:
            worker.post(.settings(SamplingSettings(temperature: state.temperature, topK: 0, topP: state.topP, minP: options.minP, tempoTemperature: options.tempoTemperature)))
        case .selectTake(let bar, let take):
            // Scheduled in place by `sync`; playback and writing go on.
            worker.post(.selectTake(bar: bar, take: take))
        case .regenerate(let bar):
            worker.post(.regenerate(bar: bar))
        case .rewind:
            worker.post(.rewind)
        case .acceptCandidate:
            worker.post(.acceptCandidate)
        case .undo:
            worker.post(.undo)
        case .redo:
            worker.post(.redo)
        case .pauseMusic:
            if let held = heldAtSeconds { heldAtSeconds = nil; player.play(fromSeconds: held) }
            player.pause()
        case .resumeMusic:
            if player.state == .paused { player.resume() } else if player.state == .stopped { player.play(fromSeconds: 0) }
        case .play(let bar):
            heldAtSeconds = nil
            if let bar, bar < snapshot.bars.count {
                player.play(fromSeconds: snapshot.bars[bar].startSeconds)
            } else if player.state == .paused {
                player.resume()
            } else {
                player.play(fromSeconds: 0)
            }
            state.message = "playing"
        case .stopPlayback:
            heldAtSeconds = nil
            player.pause()
            state.message = "playback stopped; writing continues up to \(options.lookaheadBars) bars ahead"
        case .save(let withAudio):
            save(withAudio: withAudio)
        case .nextTheme:
            // A broken theme file reports itself and leaves the default in place; skip past it.
            loadTheme(catalog.next(after: lastThemeTried))
        case .newPiece:
            state.seed &+= 1
            let seed = state.seed, make = makeSession
            let settings = SamplingSettings(temperature: state.temperature, topK: 0, topP: state.topP, minP: options.minP, tempoTemperature: options.tempoTemperature)
            worker.post(.replaceSession({
                let session = try make(seed)
                try session.setSettings(settings)
                return session
            }))
            worker.post(.key(state.key, free: state.keyFree))
            player.stop()
            player.removeAllBars()
            scheduled = [:]
            heldAtSeconds = nil
            player.play(fromSeconds: 0)
            state.selectedBar = nil
            state.viewFirstBar = 0
            state.message = "new piece, seed \(seed)"
        case .quit:
            return true
        }
        return false
    }

    // MARK: - Saving

    /// Writes the take (accepted bars and the candidate as shown) as MIDI, and as WAV when
    /// asked (rendered on a background thread; a message says when it is done).
    func save(withAudio: Bool) {
        do {
            let (path, score) = try writeTake(prefix: "take")
            savedVersion = snapshot.version
            state.unsaved = false
            state.message = "saved \(path)"
            if withAudio {
                let wavPath = String(path.dropLast(4)) + ".wav"
                state.message = "saved \(path); rendering \(wavPath)..."
                let outbox = self.outbox, soundFont = options.soundFont
                Thread.detachNewThread {
                    do {
                        let audio = try AudioExport.writeWAV(score: score, to: URL(fileURLWithPath: wavPath), soundFont: soundFont)
                        outbox.post(audio.silenceWarning(path: wavPath).map { "warning: \($0)" } ?? "saved \(path) and \(wavPath)")
                    } catch {
                        outbox.post("WAV not written: \(error)")
                    }
                }
            }
        } catch {
            state.message = "not saved: \(error)"
        }
    }

    /// Writes `<takes>/<prefix>-<stamp>.mid` (or `-2`, `-3`... when taken, claimed atomically);
    /// returns its path and the score written.
    /// The candidate is included when it decodes; otherwise the accepted bars alone.
    @discardableResult
    public func writeTake(prefix: String) throws -> (String, PianoScore) {
        try TakeFiles.ensureDirectory(options.takesDirectory)
        let (file, score): (MIDIFile, PianoScore) = try worker.withSession { session in
            let withCandidate = (try? session.takeAsScore(includeCandidate: true)) != nil
            let score = SessionBridge.timeScaled(try session.takeAsScore(includeCandidate: withCandidate), tempoScale: state.tempoScale)
            var provenance = session.provenance(includeCandidate: withCandidate)
            if state.tempoScale != 1 { provenance += String(format: "; tempo-scale=%.2f", state.tempoScale) }
            return (CompositionSession.midiFile(score: score, provenance: provenance), score)
        }
        let path = try TakeFiles.write(file.encoded(), directory: options.takesDirectory, prefix: prefix, date: Date())
        return (path, score)
    }
}

/// Messages posted from other threads for the status line.
public final class Outbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    public func post(_ message: String) { lock.lock(); messages.append(message); lock.unlock() }
    public func drain() -> [String] {
        lock.lock(); defer { lock.unlock() }
        let out = messages
        messages = []
        return out
    }
}
