// escapedForDisplay: what a file's bytes look like when an error message quotes them.
import Testing
import UntrustedText

@Suite struct EscapedForDisplayTests {
    @Test func printableTextIsUnchanged() {
        #expect(escapedForDisplay("embedding.weight F32 [3, 2]") == "embedding.weight F32 [3, 2]")
        #expect(escapedForDisplay("Flügel ♪") == "Flügel ♪")
    }

    @Test func controlsAndBackslashesAreEscaped() {
        #expect(escapedForDisplay("\u{1B}[2J") == "\\x1B[2J")
        #expect(escapedForDisplay("a\nb\r\t\u{7F}") == "a\\x0Ab\\x0D\\x09\\x7F")
        #expect(escapedForDisplay("C:\\x1B") == "C:\\\\x1B")  // a literal backslash cannot forge an escape
        #expect(escapedForDisplay("\u{0}") == "\\x00")
    }

    @Test func invalidUTF8AndInvisibleCharactersAreEscapedByteByByte() {
        #expect(escapedForDisplay([0xFF, 0x41, 0xC3]) == "\\xFFA\\xC3")
        #expect(escapedForDisplay([0xC0, 0xAF]) == "\\xC0\\xAF")  // overlong "/"
        #expect(escapedForDisplay([0xED, 0xA0, 0x80]) == "\\xED\\xA0\\x80")  // a surrogate
        #expect(escapedForDisplay([0xC2, 0x9B]) == "\\xC2\\x9B")  // C1 CSI
        #expect(escapedForDisplay("\u{202E}abc") == "\\xE2\\x80\\xAEabc")  // right-to-left override
    }
}
