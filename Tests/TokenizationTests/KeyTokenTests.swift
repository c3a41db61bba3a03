// KEY tokens: key names and signatures, the KEY block of the vocabulary (and old
// vocabularies without it), keys from the files' signatures and from key-finding,
// transposition turning keys with pitches, and decoding into key signatures.
import Foundation
import MIDI
import Testing
import TestSupport
@testable import Tokenization

@Suite struct KeyTokenTests {
    let tokenizer = Tokenizer(styles: ["chopin"])

    @Test func namesParseInTheUsualSpellings() throws {
        #expect(MusicalKey(name: "E minor") == MusicalKey(tonic: 4, isMinor: true))
        #expect(MusicalKey(name: "Eb major") == MusicalKey(tonic: 3, isMinor: false))
        #expect(MusicalKey(name: "e♭") == MusicalKey(tonic: 3, isMinor: false))
        #expect(MusicalKey(name: "F#m") == MusicalKey(tonic: 6, isMinor: true))
        #expect(MusicalKey(name: "c# minor") == MusicalKey(tonic: 1, isMinor: true))
        #expect(MusicalKey(name: "B flat major") == MusicalKey(tonic: 10, isMinor: false))
        #expect(MusicalKey(name: "fis-moll") == MusicalKey(tonic: 6, isMinor: true))
        #expect(MusicalKey(name: "H dur") == MusicalKey(tonic: 11, isMinor: false))
        #expect(MusicalKey(name: "Eb_major") == MusicalKey(tonic: 3, isMinor: false))
        for bad in ["", "X major", "E dorian", "minor", "Ebb7"] { #expect(MusicalKey(name: bad) == nil, "\(bad)") }
        do {
            _ = try MusicalKey.parse("Q major")
            Issue.record("Q major parsed")
        } catch let error as TokenizationError {
            #expect("\(error)".contains("'Q major' is not a key") && "\(error)".contains("E minor"))
        }
    }

    @Test func signaturesRoundTripForAll24Keys() {
        for key in MusicalKey.all {
            #expect(MusicalKey(sharps: key.sharps, isMinor: key.isMinor) == key)
            #expect((-6...5).contains(key.sharps))  // Gb major / Eb minor: flats win the tie
            #expect(MusicalKey(name: key.description) == key)
        }
        #expect(MusicalKey(tonic: 3, isMinor: false).description == "Eb major")
        #expect(MusicalKey(tonic: 4, isMinor: true).sharps == 1)
        #expect(MusicalKey(sharps: -3, isMinor: false).transposed(by: 2) == MusicalKey(tonic: 5, isMinor: false))
    }

    @Test func theKeyBlockComesLastAndOldVocabulariesHaveNone() throws {
        let v = tokenizer.vocabulary
        #expect(v.hasKeys && v.keyCount == 24 && v.keyStart == v.count - 24)
        #expect(v.token(v.keyID(MusicalKey(tonic: 0, isMinor: false))!) == .key(MusicalKey(tonic: 0, isMinor: false)))
        #expect(Token(description: "KEY_F#_minor") == .key(MusicalKey(tonic: 6, isMinor: true)))
        // A vocabulary stored before keys existed has no keyTokens field: same ids as then.
        let old = Tokenizer(configuration: .make(stepsPerQuarter: 12, keyTokens: false), styles: ["chopin"]).vocabulary
        var json = old.jsonString()
        json = json.replacingOccurrences(of: ",\"keyTokens\":false", with: "")
        #expect(!json.contains("keyTokens"))
        let restored = try Vocabulary(jsonString: json)
        #expect(!restored.hasKeys && restored.count == v.count - 24)
        #expect(restored.tokens == Array(v.tokens.prefix(v.count - 24)))
    }

    @Test func barsCarryTheSignaturesKeyWithTheModeFromKeyFinding() throws {
        // Chopin's prelude op. 28 no. 7 is in A major (3 sharps).
        let url = try #require(Fixtures.midiFiles.first { $0.lastPathComponent == "chpn-p7.mid" })
        let score = try Fixtures.score(url)
        #expect(score.keySignatures.first?.sharps == 3)
        let ids = tokenizer.encode(score)
        let v = tokenizer.vocabulary
        let bars = v.barStartIndices(ids)
        let keys = ids.filter { $0 >= v.keyStart }
        #expect(keys.count == bars.count)  // one KEY per bar
        #expect(Set(keys) == [v.keyID(MusicalKey(tonic: 9, isMinor: false))!])
    }

    @Test func keyFindingFollowsTheNotesWithoutSignatures() {
        // Sixteen bars of an A-minor texture (A C E, G# leading tone), then sixteen of E-flat
        // major: a modulation long enough to outweigh the cost of a change.
        var notes: [ScoreNote] = []
        func bar(_ index: Int, _ pitches: [Int]) {
            for (i, p) in pitches.enumerated() { notes.append(ScoreNote(pitch: p, velocity: 64, onsetTicks: index * 1920 + i * 240, durationTicks: 240)) }
        }
        for b in 0..<16 { bar(b, [57, 60, 64, 69, 68, 71, 64, 57]) }
        for b in 16..<32 { bar(b, [51, 55, 58, 63, 56, 60, 62, 63]) }
        let score = PianoScore(ticksPerQuarter: 480, notes: notes)
        let keys = Tokenizer.keys(of: score, atBarStarts: (0..<32).map { $0 * 1920 })
        #expect(keys.prefix(12).allSatisfy { $0 == MusicalKey(tonic: 9, isMinor: true) }, "\(keys)")
        #expect(keys.suffix(12).allSatisfy { $0 == MusicalKey(tonic: 3, isMinor: false) }, "\(keys)")
        // Two odd bars inside a key do not move it.
        var chromatic = notes
        for i in chromatic.indices where chromatic[i].onsetTicks / 1920 == 5 || chromatic[i].onsetTicks / 1920 == 6 { chromatic[i].pitch += 1 }
        let steady = Tokenizer.keys(of: PianoScore(ticksPerQuarter: 480, notes: chromatic), atBarStarts: (0..<32).map { $0 * 1920 })
        #expect(steady.prefix(12).allSatisfy { $0 == MusicalKey(tonic: 9, isMinor: true) }, "\(steady)")
    }

    @Test func transposingTurnsKeysWithPitches() throws {
        let url = try #require(Fixtures.midiFiles.first { $0.lastPathComponent == "chpn-p7.mid" })
        let score = try Fixtures.score(url)
        let ids = tokenizer.encode(score)
        let up = try #require(tokenizer.transposed(ids, by: 2))
        let v = tokenizer.vocabulary
        #expect(Set(up.filter { $0 >= v.keyStart }) == [v.keyID(MusicalKey(tonic: 11, isMinor: false))!])
        // Same as encoding the transposed score.
        #expect(up == tokenizer.encode(try #require(score.transposed(by: 2))))
    }

    @Test func decodingWritesKeyAndTimeSignatures() throws {
        let v = tokenizer.vocabulary
        let note = [v.id(.velocity(64))!, v.id(.pitch(64))!, v.id(.duration(12))!]
        let eMinor = v.keyID(MusicalKey(tonic: 4, isMinor: true))!, gMajor = v.keyID(MusicalKey(tonic: 7, isMinor: false))!
        let ids = [v.bosID, v.barID, eMinor, v.id(.position(0))!] + note + [v.barID, eMinor, v.id(.position(0))!] + note
            + [v.barID, gMajor, v.id(.position(0))!] + note
        let score = try tokenizer.decode(ids)
        #expect(score.keySignatures == [KeySignatureChange(ticks: 0, sharps: 1, isMinor: true),
                                        KeySignatureChange(ticks: 2 * 1920, sharps: 1, isMinor: false)])
        #expect(score.timeSignatures == [TimeSignatureChange(ticks: 0, numerator: 4, denominator: 4)])
        let reread = PianoScore(midi: try MIDIFile(bytes: score.midiFile().encoded(), fileName: "k.mid"))
        #expect(reread.keySignatures == score.keySignatures && reread.timeSignatures == score.timeSignatures)
    }

    @Test func pitchesRiseInsideAnOnsetSoNoKeyIsStruckTwice() {
        let v = tokenizer.vocabulary
        var g = GrammarState(vocabulary: v)
        for id in [v.bosID, v.barID, v.id(.position(0))!, v.id(.velocity(64))!, v.id(.pitch(60))!, v.id(.duration(12))!, v.id(.velocity(64))!] {
            g.advance(id)
        }
        #expect(!g.isAllowed(v.id(.pitch(60))!) && !g.isAllowed(v.id(.pitch(59))!) && g.isAllowed(v.id(.pitch(61))!))
        // After the top key no further note fits at this onset, so no VEL is offered.
        var top = GrammarState(vocabulary: v)
        for id in [v.bosID, v.barID, v.id(.position(0))!, v.id(.velocity(64))!, v.id(.pitch(108))!, v.id(.duration(12))!] { top.advance(id) }
        #expect(!top.isAllowed(v.id(.velocity(64))!) && top.isAllowed(v.id(.position(1))!))
        // A new onset starts from the bottom again.
        top.advance(v.id(.position(1))!); top.advance(v.id(.velocity(64))!)
        #expect(top.isAllowed(v.id(.pitch(21))!))
    }
}
