// libFuzzer entry point for the Standard MIDI File reader (built by scripts/fuzz.sh,
// compiled together with Sources/MIDI). Any input must either parse or throw a
// MIDIError; a parsed file must encode, re-read without error and compare equal.

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
    let encoded = midi.encoded()
    guard let again = try? MIDIFile(bytes: encoded, fileName: "re-encoded") else {
        fatalError("re-encoded file does not parse")
    }
    if again != midi { fatalError("read -> write -> read changed the events") }
    return 0
}
