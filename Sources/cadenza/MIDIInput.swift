// Reading a MIDI file the user names, for every command that takes one (info, tokenize,
// play, render, generate --primer): damage the reader got past is printed once per file
// as a warning line, as FluidSynth and mido do, and the file is used.
import Foundation
import MIDI

/// The parsed file at `path`; its warnings go to stderr as "cadenza COMMAND: warning: ...".
/// Throws the reader's MIDIError.
func readMIDIFile(_ path: String, command: String) throws -> MIDIFile {
    let reading = try MIDIFile.read(contentsOf: URL(fileURLWithPath: path), fileName: path)
    for warning in reading.warnings { printError("cadenza \(command): warning: \(warning)") }
    return reading.file
}
