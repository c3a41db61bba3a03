// Input files that must be regular files, atomic writes that leave nothing behind when
// they fail, one temporary naming pattern, and the clean-up of what a killed writer left.
import Foundation
import TestSupport
import Testing
@testable import FileSafety

@Suite struct FileSafetyTests {
    func temporaryDirectory() throws -> String { try TemporaryFolder("cadenza-files").url.path }

    func contents(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    @Test func onlyRegularFilesAreInputs() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: InputFileError.notRegular) { try InputFile.regularFileSize(atPath: "/dev/zero") }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(throws: InputFileError.notRegular) { try InputFile.regularFileSize(atPath: dir + "/fifo") }
        #expect(throws: InputFileError.directory) { try InputFile.regularFileSize(atPath: dir) }
        #expect(throws: InputFileError.missing) { try InputFile.regularFileSize(atPath: dir + "/none") }
        #expect(InputFileError.notRegular.description == "is not a regular file")
        // The size is the target's, not the symlink's.
        try Data(count: 100_000).write(to: URL(fileURLWithPath: dir + "/big"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/big")
        #expect(try InputFile.regularFileSize(atPath: dir + "/link") == 100_000)
    }

    @Test func temporaryNamesFollowOnePattern() {
        let path = TemporaryFiles.path(nextTo: "/some/folder/last.safetensors")
        #expect(path.hasPrefix("/some/folder/.last.safetensors.\(getpid())."))
        #expect(path.hasSuffix(".tmp"))
        let name = URL(fileURLWithPath: path).lastPathComponent
        #expect(TemporaryFiles.writerProcess(ofName: name) == getpid())
        #expect(TemporaryFiles.writerProcess(ofName: ".a.b.123.deadbeef.tmp") == 123)
        for other in ["last.safetensors", ".last.safetensors.tmp", ".x.123.tmp", ".x.abc.deadbeef.tmp", ".x.123.nothex.tmp", "x.123.deadbeef.tmp"] {
            #expect(TemporaryFiles.writerProcess(ofName: other) == nil, "\(other)")
        }
    }

    @Test func staleTemporaryFilesOfDeadWritersAreRemoved() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A process that has exited: its pid is free (pids are not reused this fast).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        let dead = p.processIdentifier
        let names = [".last.safetensors.\(dead).0badf00d.tmp", ".best.safetensors.\(getpid()).12345678.tmp",
                     ".last.safetensors.1.abcdef01.tmp", "notes.tmp", "last.safetensors"]
        for name in names { FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1])) }
        #expect(TemporaryFiles.removeStale(in: dir) == [dir + "/.last.safetensors.\(dead).0badf00d.tmp"])
        // Ours while this process runs, and pid 1's (alive), and names not ours, stay.
        #expect(contents(dir) == names.dropFirst().sorted())
    }

    @Test func atomicWritesLeaveNothingBehindAndKeepTheReason() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Data("one".utf8), to: URL(fileURLWithPath: dir + "/a.txt"))
        #expect(contents(dir) == ["a.txt"])
        do {
            let writer = try AtomicFileWriter(path: dir + "/b.wav")
            try writer.write([1, 2, 3])
            #expect(contents(dir).count == 2)
        }  // dropped without a commit
        #expect(contents(dir) == ["a.txt"])
        #expect(throws: AtomicFileError(path: dir + "/none/c.txt", reason: "cannot create a file in \(dir)/none: No such file or directory")) {
            try AtomicFile.write(Data(), to: URL(fileURLWithPath: dir + "/none/c.txt"))
        }
        // A folder, a FIFO or a device is not replaced by the rename.
        try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: false)
        #expect(throws: AtomicFileError(path: dir + "/d", reason: "is a directory")) {
            try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: dir + "/d"))
        }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(throws: AtomicFileError(path: dir + "/fifo", reason: "is not a regular file")) {
            try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: dir + "/fifo"))
        }
        #expect(throws: AtomicFileError(path: "/dev/null", reason: "is not a regular file")) {
            try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: "/dev/null"))
        }
        #expect(contents(dir) == ["a.txt", "d", "fifo"])
        // Writing through a symlink replaces the link, as a rename does.
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/a.txt")
        try AtomicFile.write(Data("two".utf8), to: URL(fileURLWithPath: dir + "/link"))
        #expect(FileManager.default.contents(atPath: dir + "/a.txt") == Data("one".utf8))
        #expect(FileManager.default.contents(atPath: dir + "/link") == Data("two".utf8))
    }

    /// What the SIGINT/SIGTERM/SIGHUP handler removes: files being written, not committed
    /// or discarded ones. (The removal itself is not called here: it would remove the files
    /// other tests in this process are writing. Tests/cli/hostile.sh kills a render.)
    @Test func filesBeingWrittenAreRegisteredForTheSignalCleanUp() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try AtomicFileWriter(path: dir + "/render.wav")
        try writer.write([0, 1])
        #expect(TemporaryFiles.registeredPaths().contains(writer.temporaryPath))
        writer.discard()
        #expect(!TemporaryFiles.registeredPaths().contains(writer.temporaryPath))
        let done = try AtomicFileWriter(path: dir + "/done.wav")
        try done.commit()
        #expect(!TemporaryFiles.registeredPaths().contains(done.temporaryPath))
        #expect(contents(dir) == ["done.wav"])
    }
}
