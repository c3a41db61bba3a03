// A phrase from the MIDI keyboard: when it ends, the tempo that fits it, and the bars it
// becomes (each note back within 10 ms of where it was played, relative to the first).
import Foundation
import MIDI
import Playback
import Testing
import Tokenization
@testable import TUI

@Suite struct PlayedPhraseTests {
    @Test func aPhrasePlayedInTimeLandsOnTheGridWhereItWasPlayed() throws {
        let tokenizer = Tokenizer()
        var recorder = PhraseRecorder()
        let t0 = 1000.25
        let pitches = [60, 64, 67, 72, 67, 64, 60, 55, 60]  // eighths at 120 BPM, a few ms off
        for (i, p) in pitches.enumerated() {
            let on = t0 + Double(i) * 0.25 + (i % 2 == 0 ? 0.002 : -0.003)
            recorder.add(KeyboardEvent(pitch: p, velocity: 80, seconds: on))
            recorder.add(KeyboardEvent(pitch: p, velocity: 0, seconds: on + 0.2))
        }
        #expect(recorder.isRecording)
        #expect(!recorder.phraseHasEnded(nowSeconds: t0 + 2.3, silenceSeconds: 2))
        #expect(recorder.phraseHasEnded(nowSeconds: t0 + 4.5, silenceSeconds: 2))
        let notes = recorder.takePhrase(nowSeconds: t0 + 4.5)
        #expect(!recorder.isRecording && notes.count == pitches.count)
        #expect(PhraseEncoder.tempo(of: notes, configuration: tokenizer.configuration, hintBPM: 100) == 120)

        let bars = PhraseEncoder.bars(notes, tokenizer: tokenizer, beatsPerBar: 4, hintBPM: 100)
        #expect(bars.count == 2)  // four and a half quarters: two bars of 4/4
        let decoded = try tokenizer.decode([tokenizer.vocabulary.bosID] + bars.joined())
        let map = decoded.tempoMap
        let played = decoded.notes.sorted { $0.onsetTicks < $1.onsetTicks }
        #expect(played.map(\.pitch) == pitches)
        for (i, note) in played.enumerated() {
            let seconds = map.seconds(atTicks: note.onsetTicks)
            #expect(abs(seconds - (notes[i].onsetSeconds - t0)) < 0.010, "note \(i) at \(seconds) s")
        }
    }

    @Test func aKeyStillDownKeepsThePhraseOpen() {
        var recorder = PhraseRecorder()
        recorder.add(KeyboardEvent(pitch: 60, velocity: 90, seconds: 5))
        #expect(!recorder.phraseHasEnded(nowSeconds: 20, silenceSeconds: 2))
        recorder.add(KeyboardEvent(pitch: 60, velocity: 0, seconds: 21))
        #expect(recorder.phraseHasEnded(nowSeconds: 23, silenceSeconds: 2))
        // A note-off for a key never struck (pressed before the recording began) is ignored.
        var late = PhraseRecorder()
        late.add(KeyboardEvent(pitch: 62, velocity: 0, seconds: 1))
        #expect(!late.isRecording)
    }
}
