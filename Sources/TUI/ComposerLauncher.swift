// Starting the composer: load the checkpoint (or the bundled one), read the primer, open
// the player and the terminal, run the app loop, then restore the terminal and, after a
// signal (or a model that cannot write), save the take to a recovery file. Returns what
// to tell the user on exit.

import FileSafety
import Foundation
import Generation
import MIDI
import NN
import Playback
import Tokenization

public enum ComposerLauncher {
    public struct Outcome {
        public var exitStatus: Int32
        /// Lines for standard error after the terminal is restored.
        public var messages: [String]
    }

    /// Where a model comes from: a checkpoint file, or an untrained model (for trying the
    /// interface without a checkpoint; its notes are noise).
    public enum ModelSource {
        case checkpoint(URL)
        case untrained(seed: UInt64)
    }

    /// The checkpoint the options name (a file or a run's folder), else the bundled one, found
    /// as every command finds it (CheckpointLookup); throws naming where it looked.
    public static func modelSource(options: ComposerOptions, untrained: Bool, environment: [String: String],
                                   currentDirectory: URL, executable: URL) throws -> ModelSource {
        if untrained { return .untrained(seed: options.seed) }
        do {
            return .checkpoint(try CheckpointLookup.resolve(options.checkpointPath, environment: environment,
                                                            currentDirectory: currentDirectory, executable: executable))
        } catch CheckpointLookupError.noBundledModel(let searched) {
            throw ComposerError.badOption("""
                no model found (looked for \(searched.joined(separator: ", "))); \
                train one with `cadenza train`, pass --checkpoint PATH, or try the interface with --untrained
                """)
        } catch let error as CheckpointLookupError {
            throw ComposerError.badOption(error.description)
        }
    }

    public static func loadModel(_ source: ModelSource) throws -> LoadedModel {
        switch source {
        case .checkpoint(let url):
            return try LoadedModel.load(from: url)
        case .untrained(let seed):
            let tokenizer = Tokenizer()
            let configuration = LSTMConfiguration(vocabularySize: tokenizer.vocabulary.count, embeddingSize: 32,
                                                  hiddenSize: 64, layers: 2)
            return LoadedModel(model: LSTMModel(configuration: configuration, seed: seed), tokenizer: tokenizer,
                               name: "untrained")
        }
    }

    /// Runs the composer on this process's terminal (`openTerminal` opens it; tests pass a fake).
    public static func run(options: ComposerOptions, source: ModelSource,
                           openTerminal: (_ noColour: Bool) throws -> TerminalDevice = { try TerminalScreen(noColour: $0) }) throws -> Outcome {
        let loaded = try loadModel(source)
        var primer: [[Int]] = []
        var primerDescription = ""
        if let path = options.primerPath {
            let midi = try MIDIFile(contentsOf: URL(fileURLWithPath: path))
            let score = PianoScore(midi: midi)
            let available = score.barStartTicks().count
            let count = min(options.primerBars, available)
            primer = try PieceGenerator.primerBars(from: score, count: count, tokenizer: loaded.tokenizer)
            primerDescription = "primer=\(URL(fileURLWithPath: path).lastPathComponent) bars=\(count)"
        }
        let settings = try SamplingSettings(temperature: options.temperature, topK: 0, topP: options.topP, minP: options.minP,
                                            tempoTemperature: options.tempoTemperature).validated()
        let key = options.key, holdsKey = !options.freeKey
        let model = loaded.model, tokenizer = loaded.tokenizer, name = loaded.name, style = options.style
        let primerTokens = primer, primerText = primerDescription
        let makeSession: @Sendable (UInt64) throws -> CompositionSession = { seed in
            let session = try CompositionSession(model: model, tokenizer: tokenizer, checkpointName: name, style: style,
                                                 settings: settings, seed: seed)
            if !primerText.isEmpty {
                session.primerDescription = [session.primerDescription, primerText].filter { !$0.isEmpty }.joined(separator: "; ")
            }
            try session.appendPrimerBars(primerTokens)
            try session.setKey(key)
            session.holdsKey = holdsKey
            return session
        }
        // Build the first session before touching the terminal, so mistakes print plainly.
        let session = try makeSession(options.seed)
        let worker = GenerationWorker(session: session)
        let signals = SignalFlag()
        signals.install()
        let player = PlaybackFactory.openPlayer(PlaybackOptions(backend: options.playback))
        // The keyboard port: quietly absent without a sequencer, unless --input asked for one.
        var keyboard: MIDIKeyboard?
        var keyboardMessage = ""
        do {
            keyboard = try MIDIKeyboard(connectFrom: options.inputPort)
            keyboardMessage = "keyboard: \(keyboard!.statusDescription)" + (options.respond ? "; call and response on" : "")
        } catch {
            if options.inputPort != nil || options.respond { keyboardMessage = "no MIDI keyboard: \(error)" }
        }
        let catalog = ThemeCatalog.standard(environment: ProcessInfo.processInfo.environment,
                                            executablePath: Bundle.main.executablePath ?? CommandLine.arguments.first ?? "",
                                            currentDirectory: FileManager.default.currentDirectoryPath)
        let terminal: TerminalDevice
        do {
            terminal = try openTerminal(options.noColour)
        } catch {
            keyboard?.close()
            player.close()
            throw error
        }
        let app = ComposerApp(terminal: terminal, worker: worker, player: player, catalog: catalog, options: options,
                              checkpointName: name.replacingOccurrences(of: ".safetensors", with: ""),
                              signals: signals, makeSession: makeSession, keyboard: keyboard)
        if !keyboardMessage.isEmpty { app.state.message = keyboardMessage }
        let ending = app.run()
        // A WAV still rendering in the background is abandoned: its temporary file goes.
        TemporaryFiles.removeRegistered()
        terminal.close()
        keyboard?.close()
        player.close()
        var messages: [String] = []
        var status: Int32 = 0
        let why: String
        switch ending {
        case .quit:
            return Outcome(exitStatus: 0, messages: [])
        case .signal(let number):
            status = 128 + number
            why = SignalFlag.describe(number)
        case .failure(let message):
            status = 1
            why = message
        }
        // A signal or a failure: keep what was written in a recovery file.
        if app.snapshot.bars.isEmpty {
            messages.append("cadenza: \(why); nothing was written yet, so there is nothing to recover")
        } else {
            do {
                let (path, _) = try app.writeTake(prefix: "recovered")
                messages.append("cadenza: \(why); the take is saved in \(path)")
            } catch {
                messages.append("cadenza: \(why); the take could not be saved: \(error)")
            }
        }
        return Outcome(exitStatus: status, messages: messages)
    }
}
