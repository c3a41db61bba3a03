// Telling what a file is from its first bytes, on the committed fixtures and on the
// signatures of the other formats a user may pass by mistake.
import Foundation
import Testing
import TestSupport
@testable import FileSafety

@Suite struct FileKindTests {
    @Test func theCommittedFixturesAreRecognised() {
        #expect(FileKind(contentsOf: Fixtures.url("chpn-p7.mid")) == .midi)
        #expect(FileKind(contentsOf: Fixtures.url("hostile/silent.sf2")) == .soundFont)
        #expect(FileKind(contentsOf: Fixtures.url("checkpoints/generation_tiny.safetensors")) == .safetensors)
        #expect(FileKind(contentsOf: Fixtures.url("checkpoints/torch_tiny_f16.safetensors")) == .safetensors)
        #expect(FileKind(contentsOf: Fixtures.url("README.md")) == .text)
        #expect(FileKind(contentsOf: Fixtures.url("checkpoints/torch_tiny_tokens.json")) == .text)
        #expect(FileKind(contentsOf: Fixtures.url("no-such-file")) == nil)
        #expect(FileKind(contentsOf: Fixtures.directory) == nil)
    }

    @Test func signaturesOfOtherFormats() {
        func kind(_ bytes: [UInt8], size: Int? = nil) -> FileKind { FileKind(prefix: bytes, size: size ?? bytes.count) }
        #expect(kind(Array("RIFF\u{24}\0\0\0WAVEfmt ".utf8)) == .wav)
        #expect(kind(Array("ID3\u{4}\0".utf8)) == .mp3)
        #expect(kind([0xFF, 0xFB, 0x90, 0x64]) == .mp3)
        #expect(kind([0x50, 0x4B, 0x03, 0x04, 0]) == .zip)
        #expect(kind([0x1F, 0x8B, 8, 0]) == .gzip)
        #expect(kind(Array("%PDF-1.7".utf8)) == .pdf)
        #expect(kind([]) == .empty)
        #expect(kind([0, 1, 2, 200, 3]) == .unknown)
        // A safetensors header: its length, then JSON; a length past the end is a truncated
        // checkpoint (its reader says so), and no JSON is not a checkpoint at all.
        #expect(kind([2, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)) == .safetensors)
        #expect(kind([200, 0, 0, 0, 0, 0, 0, 0] + Array("{}".utf8)) == .safetensors)
        #expect(kind([2, 0, 0, 0, 0, 0, 0, 0] + Array("[]".utf8)) == .unknown)
        #expect(FileKind.midi.description == "a MIDI file")
        #expect(FileKind.text.description == "a text file")
    }
}
