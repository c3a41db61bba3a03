// From a real composition session (an untrained model, so no checkpoint is needed) to
// the roll and to playback notes: bars, beats, candidate, takes, playhead position.
import Foundation
import Generation
import Testing
@testable import TUI

@Suite struct SessionBridgeTests {
    func session(bars: Int) throws -> CompositionSession {
        let loaded = try ComposerLauncher.loadModel(.untrained(seed: 5))
        let s = try CompositionSession(model: loaded.model, tokenizer: loaded.tokenizer, checkpointName: loaded.name, seed: 5)
        s.maximumTokensPerBar = 64   // an untrained model rarely ends a bar by itself
        for _ in 0..<bars { try s.generateBar() }
        return s
    }

    @Test func workerStopsAndReportsAModelWithNonFiniteLogits() throws {
        let loaded = try ComposerLauncher.loadModel(.untrained(seed: 5))
        for name in loaded.model.tensorNames() { loaded.model.withTensor(named: name) { $0.update(repeating: 3e38) } }
        let s = try CompositionSession(model: loaded.model, tokenizer: loaded.tokenizer, checkpointName: "huge.safetensors", seed: 5)
        let worker = GenerationWorker(session: s)
        worker.start()
        defer { worker.stop() }
        var failure: String?
        for _ in 0..<200 where failure == nil {
            failure = worker.take().failure
            if failure == nil { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(failure == GenerationError.nonFiniteLogits(checkpoint: "huge.safetensors").description)
    }

    @Test func rollHoldsTheSessionsBarsInBeats() throws {
        let s = try session(bars: 3)
        for _ in 0..<5 { try s.step() }   // a candidate in progress
        let snapshot = s.snapshot()
        let roll = SessionBridge.roll(snapshot)
        #expect(roll.bars.count == snapshot.bars.count)
        #expect(roll.acceptedBarCount == 3)
        #expect(roll.bars.last?.isCandidate == true)
        let tpq = Double(snapshot.ticksPerQuarter)
        for (bar, source) in zip(roll.bars, snapshot.bars) {
            #expect(bar.startBeats == Double(source.startTicks) / tpq)
            #expect(bar.notes.map(\.pitch) == source.notes.map(\.pitch))
            #expect(bar.notes.map(\.onsetBeats) == source.notes.map { Double($0.onsetTicks) / tpq })
        }
        // Bars are contiguous.
        for i in 1..<roll.bars.count { #expect(abs(roll.bars[i].startBeats - roll.bars[i - 1].endBeats) < 1e-9) }
    }

    @Test func regeneratedBarShowsItsTakes() throws {
        let s = try session(bars: 3)
        try s.regenerate(bar: 1)
        let roll = SessionBridge.roll(s.snapshot())
        #expect(roll.bars[1].takeCount == 2 && roll.bars[1].takeIndex == 1)
        #expect(roll.bars[0].takeCount == 1)
    }

    @Test func playheadSecondsMapToBeatsWithinBars() throws {
        let snapshot = try session(bars: 3).snapshot()
        let tpq = Double(snapshot.ticksPerQuarter)
        for (i, bar) in snapshot.bars.enumerated() {
            #expect(SessionBridge.barIndex(atSeconds: bar.startSeconds, in: snapshot) == i)
            let beats = try #require(SessionBridge.beats(atSeconds: bar.startSeconds, in: snapshot))
            #expect(abs(beats - Double(bar.startTicks) / tpq) < 1e-6)
        }
        let notes = SessionBridge.playbackNotes(snapshot.bars[0])
        #expect(notes.count == snapshot.bars[0].notes.count)
        #expect(notes.allSatisfy { $0.durationSeconds > 0 && (1...127).contains($0.velocity) })
    }
}
