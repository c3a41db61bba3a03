// libFuzzer entry point for the SoundFont (SF2) parser and player (built by scripts/fuzz.sh
// with the Synthesis files they need). Any input must either parse or throw; a font that
// parses must give an instrument or a SynthesisError, and play a few notes (both envelopes,
// the filter, loops) with finite output, never trapping or hanging.
import Foundation

private let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 128)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoundFont(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let font = try? SoundFont(data: Data(bytes: data, count: size), path: "fuzz.sf2"),
          let instrument = try? SoundFontInstrument(soundFont: font, sampleRate: 44_100, polyphony: 8) else { return 0 }
    for (pitch, velocity) in [(60, 100), (21, 1), (108, 127), (0, 64), (127, 30)] { instrument.noteOn(pitch: pitch, velocity: velocity) }
    for block in 0..<24 {
        if block == 12 { instrument.noteOff(pitch: 60); instrument.noteOff(pitch: 21) }
        if block == 18 { instrument.allNotesOff() }
        instrument.render(into: buffer, frames: 64)
        for k in 0..<128 where !buffer[k].isFinite { fatalError("non-finite sample \(buffer[k]) in block \(block)") }
    }
    return 0
}
