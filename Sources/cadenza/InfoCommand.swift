// `cadenza info FILE|DIR...`: what MIDI files hold (FileSummary in the MIDI module does
// the work), and for a .safetensors checkpoint its card (Generation.CheckpointCard). Directories stand for every .mid/.midi file under them. A bad file gives
// one line on stderr and the others are still reported; the exit status is 1 if any failed.
// `--totals` prints only one line of totals and the wall-clock and CPU time taken
// (used by bench/midi.sh).
import ArgumentParsing
import FileSafety
import Foundation
import Generation
import MIDI
import NN

enum InfoCommand: Subcommand {
    static let spec = CommandSpec(
        name: "info", summary: "Show what MIDI files hold (tracks, notes, tempo, bars), or a checkpoint's card",
        usage: "info FILE|DIR... [--json] [--totals]",
        options: [
            OptionSpec("json", help: "Print a JSON array with one object per file instead of text"),
            OptionSpec("totals", help: "Print only totals: files, bytes, notes and read speed"),
        ],
        positionals: [("FILE|DIR...", "MIDI files or .safetensors checkpoints, or folders to search for .mid/.midi files")],
        minPositionals: 1, maxPositionals: nil)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let json = arguments.flag("json"), totalsOnly = arguments.flag("totals")
        var failed = 0
        var files: [String] = []
        for path in arguments.positionals {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let found = (try? MIDIFolder.files(under: URL(fileURLWithPath: path))) ?? []
                if found.isEmpty { printError("cadenza info: \(path): no .mid or .midi files in this folder"); failed += 1 }
                files += found.map { (path as NSString).appendingPathComponent($0.relativePath) }
            } else {
                files.append(path)
            }
        }

        var summaries: [FileSummary] = []
        var cards: [CheckpointCard] = []
        var errors: [(file: String, message: String)] = []
        let started = DispatchTime.now().uptimeNanoseconds, startedCPU = clock()
        for path in files {
            if FileKind(contentsOf: URL(fileURLWithPath: path)) == .safetensors {
                do {
                    let card = try checkpointCard(path)
                    if !json && !totalsOnly { print(card.report()) }
                    cards.append(card)
                } catch {
                    printError("cadenza info: \(error)")
                    errors.append((path, "\(error)"))
                }
                continue
            }
            do {
                let midi = try readMIDIFile(path, command: "info")
                let size = (try? InputFile.regularFileSize(atPath: path)) ?? 0  // a symlink's target
                let summary = FileSummary(midi, file: path, bytes: size)
                if !json && !totalsOnly { print(summary.report()) }
                summaries.append(summary)
            } catch let error as MIDIError {
                // A file of another known kind is named for what it is, not as damaged MIDI.
                var message = error.description
                if let kind = FileKind(contentsOf: URL(fileURLWithPath: path)), ![.midi, .unknown, .empty].contains(kind) {
                    message = "\(path): this is \(kind), not a MIDI file or a safetensors checkpoint"
                }
                printError("cadenza info: \(message)")
                errors.append((path, message))
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpuSeconds = Double(clock() - startedCPU) / Double(CLOCKS_PER_SEC)
        failed += errors.count

        if totalsOnly {
            let bytes = summaries.reduce(0) { $0 + $1.bytes }, notes = summaries.reduce(0) { $0 + $1.notes }
            print("files=\(summaries.count) failed=\(failed) bytes=\(bytes) notes=\(notes) seconds=\(seconds) cpu_seconds=\(cpuSeconds)")
        } else if json {
            try printJSON(summaries: summaries, cards: cards, errors: errors)
        }
        return failed > 0 ? 1 : 0
    }

    /// The card of the checkpoint at `path` (its weights are read and checked too).
    static func checkpointCard(_ path: String) throws -> CheckpointCard {
        let checkpoint = try Checkpoint.load(from: URL(fileURLWithPath: path))
        return try CheckpointCard(checkpoint, file: path, bytes: (try? InputFile.regularFileSize(atPath: path)) ?? 0)
    }

    /// One array: summaries in order, then the checkpoints' cards, then one `{"file", "error"}`
    /// object per failed file.
    static func printJSON(summaries: [FileSummary], cards: [CheckpointCard], errors: [(file: String, message: String)]) throws {
        enum Entry: Encodable {
            case summary(FileSummary)
            case card(CheckpointCard)
            case failure(file: String, error: String)
            func encode(to encoder: Encoder) throws {
                switch self {
                case .summary(let s): try s.encode(to: encoder)
                case .card(let c): try c.encode(to: encoder)
                case .failure(let file, let error): try ["file": file, "error": error].encode(to: encoder)
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let entries = summaries.map(Entry.summary) + cards.map(Entry.card) + errors.map { Entry.failure(file: $0.file, error: $0.message) }
        print(String(decoding: try encoder.encode(entries), as: UTF8.self))
    }
}
