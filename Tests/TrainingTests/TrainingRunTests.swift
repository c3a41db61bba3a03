// The training loop end to end on a small synthetic corpus: files found and skipped, the
// token cache reused, checkpoints written, the same seed giving the same model, a resumed
// run equal to an uninterrupted one, Ctrl-C and time limits saving, and overfitting.
import Foundation
import NN
import Testing
import Tokenization
@testable import Training

@Suite struct TrainingRunTests {
    func run(_ options: TrainingOptions, stopAfterSteps: Int? = nil, events: ((TrainingEvent) -> Void)? = nil) throws -> TrainingOutcome {
        var steps = 0
        var fakeSeconds = 0.0
        return try TrainingRun(
            options: options, clock: { fakeSeconds += 0.01; return fakeSeconds },
            shouldStop: { stopAfterSteps.map { steps >= $0 } ?? false },
            onEvent: { event in
                if case .step = event { steps += 1 }
                events?(event)
            }
        ).run()
    }

    @Test func trainsSkipsBadFilesCachesTokensAndWritesCheckpoints() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        let save = dir.appendingPathComponent("save")
        var skipped: [String] = []
        var ready: (Int, Int, Int)?
        let outcome = try run(TrainingFixtures.options(corpus: corpus, save: save)) { event in
            if case .skipped(let path, _) = event { skipped.append(path) }
            if case .corpusReady(let t, let v, _, _, let hits, _) = event { ready = (t, v, hits) }
        }
        #expect(outcome.reason == .finished)
        #expect(skipped == ["broken/bad.mid"])
        #expect(ready?.0 == 3 && ready?.1 == 2 && ready?.2 == 0)  // 5 good files, ⌈0.25·5⌉ = 2 held out
        let last = try Checkpoint.load(from: save.appendingPathComponent("last.safetensors"))
        #expect(last.metadata.corpusFileCount == 5)
        #expect(last.metadata.epochs == 2)
        #expect(last.metadata.validationLoss != nil)
        #expect(last.metadata.hyperParameters["seq_len"] == "16")
        #expect(try Vocabulary(jsonString: last.metadata.vocabularyJSON!).count == last.model.configuration.vocabularySize)
        #expect(FileManager.default.fileExists(atPath: save.appendingPathComponent("best.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: save.appendingPathComponent("last.optim.safetensors").path))
        let log = try String(contentsOf: save.appendingPathComponent("training-log.csv"), encoding: .utf8)
        let rows = log.split(separator: "\n")
        #expect(rows.first == "kind,epoch,step,tokens_seen,loss,learning_rate,grad_norm,seconds")
        #expect(rows.filter { $0.hasPrefix("val,") }.count == 2)
        #expect(rows.filter { $0.hasPrefix("train,") }.count == outcome.globalStep)

        // A second run (forced over the first) reads every file's tokens from the cache.
        var hits = -1
        var again = TrainingFixtures.options(corpus: corpus, save: save)
        again.force = true
        _ = try run(again) { event in
            if case .corpusReady(_, _, _, _, let h, _) = event { hits = h }
        }
        #expect(hits == 6)  // the bad file's failure is cached too
    }

    @Test func sameSeedGivesTheSameModelAndAnotherSeedDoesNot() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        var models: [[Float]] = []
        for (i, seed) in [UInt64(7), 7, 8].enumerated() {
            var o = TrainingFixtures.options(corpus: corpus, save: dir.appendingPathComponent("s\(i)"))
            o.seed = seed
            _ = try run(o)
            models.append(TrainingFixtures.parameters(try Checkpoint.load(from: o.saveDirectory.appendingPathComponent("last.safetensors")).model))
        }
        #expect(models[0] == models[1])
        #expect(models[0] != models[2])
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        var o = TrainingFixtures.options(corpus: corpus, save: dir.appendingPathComponent("straight"))
        o.epochs = 3
        let straight = try run(o)
        let reference = try Checkpoint.load(from: straight.lastCheckpoint!)

        // Interrupted mid-epoch (step 5 of epoch 1), then again at another point, then finished.
        var p = o
        p.saveDirectory = dir.appendingPathComponent("pieces")
        let first = try run(p, stopAfterSteps: 5)
        #expect(first.reason == .interrupted)
        #expect(first.globalStep == 5)
        var q = p
        q.resume = first.lastCheckpoint
        q.epochsGiven = false
        q.epochs = 100  // ignored: the checkpoint's total applies without --epochs
        q.batchSize = 64  // ignored: a resumed run takes its shape from the checkpoint
        q.sequenceLength = 128
        let second = try run(q, stopAfterSteps: 17)
        #expect(second.globalStep == 22)
        q.resume = second.lastCheckpoint
        q.dataDirectory = nil  // as `cadenza train --resume FILE` without --data: the checkpoint's folder
        let third = try run(q)
        #expect(third.reason == .finished)
        #expect(third.globalStep == straight.globalStep)
        let resumed = try Checkpoint.load(from: third.lastCheckpoint!)
        #expect(TrainingFixtures.parameters(resumed.model) == TrainingFixtures.parameters(reference.model))
        #expect(resumed.metadata.validationLoss == reference.metadata.validationLoss)
        #expect(resumed.metadata.tokensSeen == reference.metadata.tokensSeen)
    }

    @Test func aNewRunRefusesASaveFolderThatHoldsARun() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("a"))
        o.epochs = 1
        let first = try run(o)
        let before = try Data(contentsOf: first.lastCheckpoint!)
        #expect(throws: TrainingError.saveFolderHoldsRun(folder: o.saveDirectory.path, checkpoint: first.lastCheckpoint!.path)) {
            try run(o)
        }
        #expect(try Data(contentsOf: first.lastCheckpoint!) == before)  // untouched
        // Resuming another folder's checkpoint into it is refused too; its own is not.
        var other = o
        other.saveDirectory = dir.appendingPathComponent("b")
        _ = try run(other)
        var crossed = o
        crossed.resume = other.saveDirectory.appendingPathComponent("last.safetensors")
        #expect(throws: TrainingError.self) { try run(crossed) }
        var resumed = o
        resumed.resume = first.lastCheckpoint
        resumed.epochs = 2
        resumed.epochsGiven = true
        #expect(try run(resumed).reason == .finished)
        var forced = o
        forced.force = true
        #expect(try run(forced).reason == .finished)
    }

    @Test func withoutDataAResumeNeedsACheckpointThatRecordsItsFolder() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("a"))
        o.dataDirectory = nil
        #expect(throws: TrainingError.noDataFolder(checkpoint: nil)) { try run(o) }
        #expect(TrainingError.noDataFolder(checkpoint: nil).isUsageError)
        // The folder a checkpoint records, moved away: the message says to pass --data.
        var first = o
        first.dataDirectory = try TrainingFixtures.makeCorpus(in: dir.appendingPathComponent("c"))
        first.epochs = 1
        let trained = try run(first)
        try FileManager.default.moveItem(at: first.dataDirectory!, to: dir.appendingPathComponent("moved"))
        var resumed = o
        resumed.resume = trained.lastCheckpoint
        #expect { try run(resumed) } throws: { "\($0)".contains("is gone; pass --data DIR") }
    }

    @Test func aModelWorseThanTheBigramSaysSo() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("a"))
        o.epochs = 1
        o.learningRate = 1e-7  // barely moves from its random start: near the uniform guess
        var warnings: [String] = []
        let weak = try run(o) { if case .warning(let m) = $0 { warnings.append(m) } }
        let bigram = try #require(weak.bigramValidationLoss)
        #expect(weak.isWorseThanBigram)
        #expect(weak.bestValidationLoss! > bigram)
        #expect(warnings.contains { $0.contains("worse than the add-one bigram") })
        // A run that learns: at least it is compared, and no warning when it wins.
        var good = o
        good.saveDirectory = dir.appendingPathComponent("b")
        good.learningRate = 0.01
        good.epochs = 6
        warnings = []
        let trained = try run(good) { if case .warning(let m) = $0 { warnings.append(m) } }
        #expect(trained.bigramValidationLoss != nil)
        #expect(warnings.contains { $0.contains("bigram") } == trained.isWorseThanBigram)
    }

    @Test func resumeRefusesACheckpointAndOptimizerStateFromDifferentSteps() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir)
        var o = TrainingFixtures.options(corpus: corpus, save: dir.appendingPathComponent("run"))
        o.epochs = 3
        let first = try run(o, stopAfterSteps: 5)
        let last = first.lastCheckpoint!
        let optim = OptimizerState.url(forCheckpoint: last)
        #expect(try Checkpoint.load(from: last).metadata.step == 5)
        let older = dir.appendingPathComponent("older.safetensors")
        try FileManager.default.copyItem(at: last, to: older)
        var q = o
        q.resume = last
        _ = try run(q, stopAfterSteps: 17)  // last.* now at step 22
        // A kill between the two renames: the new optimizer state beside the old model.
        try FileManager.default.removeItem(at: last)
        try FileManager.default.copyItem(at: older, to: last)
        #expect(throws: TrainingError.incompatibleResume(detail: """
            \(last.path) (step 5, 160 tokens seen) and \(optim.path) (step 22, 704 tokens seen) are from different points of \
            training (was the run stopped while saving?); resume from a pair written together, or start a new run
            """)) { try run(q) }
        // A checkpoint from before the step was recorded is matched by its tokens seen.
        var checkpoint = try Checkpoint.load(from: last)
        checkpoint.metadata.step = nil
        try checkpoint.save(to: last)
        #expect { try run(q) } throws: { error in
            guard case TrainingError.incompatibleResume(let detail) = error else { return false }
            return detail.contains("(step ?, 160 tokens seen)") && detail.contains("(step 22, 704 tokens seen)")
        }
        checkpoint.metadata.tokensSeen = 704
        try checkpoint.save(to: last)
        #expect(try run(q).reason == .finished)
    }

    @Test func timeLimitStopsAndSaves() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("s"))
        o.maxMinutes = 0.1 / 60  // the fake clock advances 0.01 s per reading
        let outcome = try run(o)
        #expect(outcome.reason == .timeLimit)
        #expect(outcome.globalStep >= 1 && outcome.globalStep <= 10)
        #expect(try Checkpoint.load(from: outcome.lastCheckpoint!).metadata.tokensSeen == outcome.tokensSeen)
    }

    /// A save killed outright (SIGKILL) leaves its temporary file; the next run removes it
    /// and says so, and keeps the files of a writer still running and names not ours.
    @Test func staleTemporaryFilesOfAKilledSaveAreRemovedAtStart() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let save = dir.appendingPathComponent("s")
        try FileManager.default.createDirectory(at: save, withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let stale = ".last.safetensors.\(gone.processIdentifier).89abcdef.tmp"
        let kept = [".best.safetensors.1.01234567.tmp", "notes.tmp"]
        for name in [stale] + kept { FileManager.default.createFile(atPath: save.path + "/" + name, contents: Data(count: 10)) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: save)
        o.maxMinutes = 0.1 / 60
        var removed: [String] = []
        _ = try run(o) { if case .removedStaleFiles(let paths) = $0 { removed += paths } }
        #expect(removed == [save.path + "/" + stale])
        let left = try FileManager.default.contentsOfDirectory(atPath: save.path)
        #expect(!left.contains(stale) && kept.allSatisfy(left.contains))
        #expect(!left.contains { $0.hasSuffix(".tmp") && !kept.contains($0) })
    }

    @Test func divergenceStopsWithoutOverwritingTheLastGoodCheckpoint() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("s"))
        o.epochs = 1
        _ = try run(o)
        let good = try Data(contentsOf: o.saveDirectory.appendingPathComponent("last.safetensors"))
        // An absurd learning rate without clipping overflows the weights.
        var bad = o
        bad.resume = o.saveDirectory.appendingPathComponent("last.safetensors")
        bad.epochs = 50
        bad.epochsGiven = true
        let hyper = try Checkpoint.load(from: bad.resume!).metadata.hyperParameters
        #expect(hyper["lr"] == "0.01")
        // The resumed run takes lr from the checkpoint, so diverge a fresh run instead.
        var fresh = o
        fresh.saveDirectory = o.saveDirectory
        fresh.force = true  // a new run into the folder of the first
        fresh.learningRate = 1e30
        fresh.clipNorm = 0
        fresh.warmupSteps = 0
        fresh.epochs = 50
        let outcome = try run(fresh)
        guard case .diverged(let message) = outcome.reason else { Issue.record("did not diverge: \(outcome.reason)"); return }
        #expect(message.contains("--lr"))
        #expect(try Data(contentsOf: o.saveDirectory.appendingPathComponent("last.safetensors")) == good)
    }

    @Test func badOptionsAndEmptyCorpora() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: dir, save: dir.appendingPathComponent("s"))
        #expect(throws: TrainingError.noMIDIFiles(directory: dir.path)) { try run(o) }
        o.batchSize = 0
        #expect(throws: TrainingError.self) { try run(o) }
        o = TrainingFixtures.options(corpus: dir.appendingPathComponent("missing"), save: dir.appendingPathComponent("s"))
        #expect(throws: TrainingError.self) { try run(o) }
        let corpus = try TrainingFixtures.makeCorpus(in: dir, notesPerPiece: 4)
        o = TrainingFixtures.options(corpus: corpus, save: dir.appendingPathComponent("s"))
        o.batchSize = 64
        o.sequenceLength = 512
        #expect { try run(o) } throws: { error in
            guard case TrainingError.notEnoughTokens = error else { return false }
            return true
        }
    }

    @Test func stylesAddComposerTokens() throws {
        let dir = try TrainingFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = TrainingFixtures.options(corpus: try TrainingFixtures.makeCorpus(in: dir), save: dir.appendingPathComponent("s"))
        o.styles = true
        o.epochs = 1
        let outcome = try run(o)
        let vocabulary = try Vocabulary(jsonString: try Checkpoint.load(from: outcome.lastCheckpoint!).metadata.vocabularyJSON!)
        #expect(vocabulary.styles == ["alpha", "beta", "broken"])
    }
}
