// The one rule for the MIDI files of a folder (info, tokenize --report, the corpus): .mid
// and .midi regular files, recursively, hidden ones and FIFOs skipped, in path order.
import Foundation
import Testing
import TestSupport
@testable import MIDI

@Suite struct MIDIFolderTests {
    @Test func findsMIDIFilesByRelativePathSkippingHiddenAndSpecialFiles() throws {
        let folder = try TemporaryFolder("midi-folder")
        defer { folder.remove() }
        let fm = FileManager.default
        for dir in ["b", "a/deep", ".hidden"] { try fm.createDirectory(at: folder.file(dir), withIntermediateDirectories: true) }
        for name in ["b/two.MID", "a/deep/one.midi", "top.mid", ".hidden/x.mid", ".dot.mid", "notes.txt"] {
            try Data("MThd".utf8).write(to: folder.file(name))
        }
        #expect(mkfifo(folder.file("fifo.mid").path, 0o600) == 0)
        let found = try MIDIFolder.files(under: folder.url)
        #expect(found.map(\.relativePath) == ["a/deep/one.midi", "b/two.MID", "top.mid"])
        #expect(throws: MIDIFolder.Failure.missing) { try MIDIFolder.files(under: folder.file("none")) }
        #expect(throws: MIDIFolder.Failure.notAFolder) { try MIDIFolder.files(under: folder.file("top.mid")) }
    }
}
