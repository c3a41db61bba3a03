// libFuzzer entry point for the SoundFont (SF2) parser (built by scripts/fuzz.sh with the
// Synthesis files it needs). Any input must either parse or throw; never trap or hang.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoundFont(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? SoundFont(data: Data(bytes: data, count: size), path: "fuzz.sf2")
    return 0
}
