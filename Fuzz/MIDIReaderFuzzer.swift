// libFuzzer entry point for the Standard MIDI File reader (built by scripts/fuzz.sh,
// compiled together with Sources/MIDI). Any input must either parse or throw a
// MIDIError; a parsed file must encode, re-read without error and compare equal, and
// give a piano score and its volume changes (what `render` reads) without trapping.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIDIReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let midi: MIDIFile
    do {
        midi = try MIDIFile(bytes: bytes, fileName: "fuzz")
    } catch is MIDIError {
        return 0
    } catch {
        fatalError("reader threw something other than MIDIError: \(error)")
    }
    _ = FileSummary(midi, file: "fuzz", bytes: size)
    let score = PianoScore(midi: midi)
    let levels = PianoScore.levelChanges(in: midi)
    if levels.count > midi.tracks.reduce(0, { $0 + $1.events.count }) || score.notes.contains(where: { $0.durationTicks <= 0 }) {
        fatalError("more volume changes than events, or a note without length")
    }
    let encoded = midi.encoded()
    guard let again = try? MIDIFile(bytes: encoded, fileName: "re-encoded") else {
        fatalError("re-encoded file does not parse")
    }
    if again != midi { fatalError("read -> write -> read changed the events") }
    return 0
}
