// libFuzzer entry point for the theme parser (built by scripts/fuzz.sh with the TUI files
// it needs). Any text must either give a theme or throw; never trap.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ThemeParser.parse(text, file: "fuzz.theme", name: "fuzz")
    return 0
}
