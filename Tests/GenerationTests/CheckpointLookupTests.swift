// The one checkpoint lookup of generate, stats, eval and compose: a file, a run's folder
// (best, else last), the bundled model, and a wrong file named for what it is.
import Foundation
import Testing
import TestSupport
import FileSafety
import NN
@testable import Generation

@Suite struct CheckpointLookupTests {
    static let tiny = Fixtures.url("checkpoints/generation_tiny.safetensors")

    func resolve(_ given: String?, environment: [String: String] = [:], in folder: URL) throws -> URL {
        try CheckpointLookup.resolve(given, environment: environment, currentDirectory: folder,
                                     executable: folder.appendingPathComponent("bin/.build/release/cadenza"))
    }

    @Test func aFolderMeansItsBestCheckpointElseItsLast() throws {
        let folder = try TemporaryFolder("lookup")
        defer { folder.remove() }
        #expect(throws: CheckpointLookupError.emptyFolder(path: folder.url.path)) { try resolve(folder.url.path, in: folder.url) }
        try FileManager.default.copyItem(at: Self.tiny, to: folder.file("last.safetensors"))
        #expect(try resolve(folder.url.path, in: folder.url).lastPathComponent == "last.safetensors")
        try FileManager.default.copyItem(at: Self.tiny, to: folder.file("best.safetensors"))
        #expect(try resolve(folder.url.path, in: folder.url).lastPathComponent == "best.safetensors")
        #expect(try resolve(folder.file("last.safetensors").path, in: folder.url).lastPathComponent == "last.safetensors")
    }

    @Test func aFileThatIsNotSafeTensorsIsNamedForWhatItIs() throws {
        let midi = Fixtures.url("chpn-p7.mid")
        #expect(throws: CheckpointLookupError.notSafeTensors(path: midi.path, kind: .midi)) { try resolve(midi.path, in: Fixtures.directory) }
        let readme = Fixtures.url("README.md")
        do {
            _ = try resolve(readme.path, in: Fixtures.directory)
            Issue.record("a text file was accepted")
        } catch {
            #expect("\(error)".contains("this is a text file, not a safetensors checkpoint"))
        }
        #expect(throws: CheckpointLookupError.missing(path: "/no/such.safetensors")) { try resolve("/no/such.safetensors", in: Fixtures.directory) }
        #expect(throws: CheckpointLookupError.unreadable(path: "/dev/zero", reason: "is not a regular file")) {
            try resolve("/dev/zero", in: Fixtures.directory)
        }
    }

    @Test func theBundledModelIsFoundNextToTheExecutableOrByTheEnvironment() throws {
        let folder = try TemporaryFolder("bundle")
        defer { folder.remove() }
        #expect(throws: CheckpointLookupError.self) { try resolve(nil, in: folder.url) }
        // <clone>/checkpoints/cadenza-piano.safetensors with the executable in <clone>/.build/release.
        let clone = folder.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: clone.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let bundled = clone.appendingPathComponent("checkpoints").appendingPathComponent(LoadedModel.bundledFileName)
        try FileManager.default.copyItem(at: Self.tiny, to: bundled)
        #expect(try resolve(nil, in: folder.url).path == bundled.path)
        let other = folder.file("other.safetensors")
        try FileManager.default.copyItem(at: Self.tiny, to: other)
        #expect(try resolve(nil, environment: ["CADENZA_CHECKPOINT": other.path], in: folder.url).path == other.path)
    }

    @Test func theCardOfACheckpoint() throws {
        let checkpoint = try Checkpoint.load(from: Self.tiny)
        let card = try CheckpointCard(checkpoint, file: "tiny.safetensors", bytes: 24204)
        #expect(card.vocabularySize == checkpoint.model.configuration.vocabularySize)
        let report = card.report()
        for field in ["architecture", "vocabulary", "styles", "tokens seen", "validation", "corpus"] {
            #expect(report.contains("  \(field)"), "the card lacks \(field):\n\(report)")
        }
        #expect(report.hasPrefix("tiny.safetensors: LSTM checkpoint, 24204 bytes"))
        let json = String(decoding: try JSONEncoder().encode(card), as: UTF8.self)
        #expect(json.contains("\"kind\":\"checkpoint\""))
        // A PyTorch export has no vocabulary: the card says so instead of failing.
        let torch = try CheckpointCard(try Checkpoint.load(from: Fixtures.url("checkpoints/torch_tiny.safetensors")), file: "t", bytes: 1)
        #expect(torch.vocabularySize == nil)
        #expect(torch.report().contains("none stored"))
    }
}
