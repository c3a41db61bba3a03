// The grammar of token sequences as an incremental state machine: the sampler asks it
// which ids may follow, then advances it by the chosen id. O(1) per `isAllowed`, one
// pass over the vocabulary per `fillMask`, no allocation after init. Every sequence it
// allows decodes, and so does every allowed prefix.
//
//   sequence := BOS [STYLE] bar* EOS PAD*
//   bar      := BAR [TS] [KEY] [TEMPO] onset*   (KEY only in vocabularies with key tokens)
//   onset    := POS TEMPO note* | POS note+  (POS strictly increasing inside a bar, < bar length;
//                                             a POS without notes carries a mid-bar tempo change)
//   note     := VEL PITCH DUR               (PITCH strictly rising inside an onset: one note per key,
//                                             low to high, as the encoder writes chords)

public struct GrammarState: Sendable {
    public enum Phase: Sendable {
        case start, afterBOS, afterStyle, afterBar, afterTimeSignature, afterKey, afterBarTempo,
             afterPosition, afterPositionTempo, afterVelocity, afterPitch, afterDuration, complete
    }

    public let vocabulary: Vocabulary
    public private(set) var phase: Phase = .start
    /// Index of the current bar: 0 for the first, -1 before the first BAR.
    public private(set) var barIndex = -1
    /// The last POS of the current bar in grid steps, -1 at the bar start.
    public private(set) var position = -1
    /// Length of the current bar in grid steps (from the last TS; 4/4 at first).
    public private(set) var barSteps: Int
    /// The last KEY id seen (the key of the current bar), nil before any.
    public private(set) var keyID: Int?
    /// The highest PITCH (index in the PITCH block) of the current onset, -1 before its first note.
    public private(set) var onsetTopPitch = -1
    private let barStepsOfTimeSignature: [Int]

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        let c = vocabulary.configuration
        barStepsOfTimeSignature = c.timeSignatures.map { c.barSteps(numerator: $0[0], denominator: $0[1]) }
        barSteps = min(c.barSteps(numerator: 4, denominator: 4), vocabulary.positionCount)
    }

    /// True after EOS: only PAD may follow.
    public var isComplete: Bool { phase == .complete }

    /// True where the sequence may stop without losing anything (EOS is allowed).
    public var isAtBoundary: Bool { isAllowed(vocabulary.eosID) }

    public func isAllowed(_ id: Int) -> Bool {
        let v = vocabulary
        guard id >= 0 && id < v.count else { return false }
        switch phase {
        case .start:
            return id == v.bosID
        case .afterBOS:
            return id == v.barID || id == v.eosID || (id >= v.styleStart && id < v.timeSignatureStart)
        case .afterStyle:
            return id == v.barID || id == v.eosID
        case .afterBar:
            return id == v.barID || id == v.eosID || (id >= v.timeSignatureStart && id < v.positionStart) || isAllowedPosition(id) || id >= v.keyStart
        case .afterTimeSignature:
            return id == v.barID || id == v.eosID || (id >= v.tempoStart && id < v.positionStart) || isAllowedPosition(id) || id >= v.keyStart
        case .afterKey:
            return id == v.barID || id == v.eosID || (id >= v.tempoStart && id < v.positionStart) || isAllowedPosition(id)
        case .afterBarTempo:
            return id == v.barID || id == v.eosID || isAllowedPosition(id)
        case .afterPosition:
            return (id >= v.tempoStart && id < v.positionStart) || (id >= v.velocityStart && id < v.pitchStart)
        case .afterPositionTempo:
            return id == v.barID || id == v.eosID || (id >= v.velocityStart && id < v.pitchStart) || isAllowedPosition(id)
        case .afterVelocity:
            return id > v.pitchStart + onsetTopPitch && id < v.durationStart
        case .afterPitch:
            return id >= v.durationStart && id < v.keyStart
        case .afterDuration:
            return id == v.barID || id == v.eosID || (hasHigherPitch && id >= v.velocityStart && id < v.pitchStart) || isAllowedPosition(id)
        case .complete:
            return id == v.padID
        }
    }

    /// Whether another note fits above the onset's highest one.
    private var hasHigherPitch: Bool { onsetTopPitch < vocabulary.pitchCount - 1 }

    @inline(__always) private func isAllowedPosition(_ id: Int) -> Bool {
        let k = id - vocabulary.positionStart
        return k > position && k < barSteps && k < vocabulary.positionCount
    }

    /// Sets `mask[id]` to whether `id` may follow; `mask.count` must be the vocabulary size.
    public func fillMask(_ mask: inout [Bool]) {
        precondition(mask.count == vocabulary.count, "mask has \(mask.count) entries, vocabulary \(vocabulary.count)")
        let v = vocabulary
        mask.withUnsafeMutableBufferPointer { m in
            func set(_ range: Range<Int>) { for i in range { m[i] = true } }
            for i in 0..<m.count { m[i] = false }
            let positions = (v.positionStart + position + 1)..<(v.positionStart + min(barSteps, v.positionCount))
            switch phase {
            case .start: m[v.bosID] = true
            case .afterBOS: m[v.barID] = true; m[v.eosID] = true; set(v.styleStart..<v.timeSignatureStart)
            case .afterStyle: m[v.barID] = true; m[v.eosID] = true
            case .afterBar:
                m[v.barID] = true; m[v.eosID] = true; set(v.timeSignatureStart..<v.positionStart); set(positions); set(v.keyStart..<v.count)
            case .afterTimeSignature:
                m[v.barID] = true; m[v.eosID] = true; set(v.tempoStart..<v.positionStart); set(positions); set(v.keyStart..<v.count)
            case .afterKey:
                m[v.barID] = true; m[v.eosID] = true; set(v.tempoStart..<v.positionStart); set(positions)
            case .afterBarTempo: m[v.barID] = true; m[v.eosID] = true; set(positions)
            case .afterPosition: set(v.tempoStart..<v.positionStart); set(v.velocityStart..<v.pitchStart)
            case .afterPositionTempo:
                m[v.barID] = true; m[v.eosID] = true; set(v.velocityStart..<v.pitchStart); set(positions)
            case .afterVelocity: set((v.pitchStart + onsetTopPitch + 1)..<v.durationStart)
            case .afterPitch: set(v.durationStart..<v.keyStart)
            case .afterDuration:
                m[v.barID] = true; m[v.eosID] = true; set(positions)
                if hasHigherPitch { set(v.velocityStart..<v.pitchStart) }
            case .complete: m[v.padID] = true
            }
        }
    }

    /// Advances by an id; precondition: `isAllowed(id)` (use `tryAdvance` for untrusted ids).
    public mutating func advance(_ id: Int) {
        precondition(isAllowed(id), "token \(id) is not allowed here")
        let v = vocabulary
        if id == v.padID { return }
        if id == v.bosID { phase = .afterBOS; return }
        if id == v.eosID { phase = .complete; return }
        if id == v.barID { phase = .afterBar; barIndex += 1; position = -1; onsetTopPitch = -1; return }
        if id < v.timeSignatureStart { phase = .afterStyle; return }
        if id < v.tempoStart {
            barSteps = min(barStepsOfTimeSignature[id - v.timeSignatureStart], v.positionCount)
            phase = .afterTimeSignature; return
        }
        if id < v.positionStart { phase = phase == .afterPosition ? .afterPositionTempo : .afterBarTempo; return }
        if id < v.velocityStart { position = id - v.positionStart; phase = .afterPosition; onsetTopPitch = -1; return }
        if id < v.pitchStart { phase = .afterVelocity; return }
        if id < v.durationStart { onsetTopPitch = id - v.pitchStart; phase = .afterPitch; return }
        if id < v.keyStart { phase = .afterDuration; return }
        keyID = id
        phase = .afterKey
    }

    /// Advances, or throws when the id is unknown or not allowed at `index`.
    public mutating func tryAdvance(_ id: Int, index: Int) throws {
        guard id >= 0 && id < vocabulary.count else {
            throw TokenizationError.unknownID(id: id, index: index, vocabularySize: vocabulary.count)
        }
        guard isAllowed(id) else {
            throw TokenizationError.ungrammatical(token: vocabulary.token(id).description, index: index, expected: expectedDescription)
        }
        advance(id)
    }

    /// What may come next, in words (for error messages).
    public var expectedDescription: String {
        switch phase {
        case .start: return "BOS"
        case .afterBOS: return "STYLE, BAR or EOS"
        case .afterStyle: return "BAR or EOS"
        case .afterBar: return vocabulary.hasKeys ? "TS, KEY, TEMPO, POS, BAR or EOS" : "TS, TEMPO, POS, BAR or EOS"
        case .afterTimeSignature: return vocabulary.hasKeys ? "KEY, TEMPO, POS, BAR or EOS" : "TEMPO, POS, BAR or EOS"
        case .afterKey: return "TEMPO, POS, BAR or EOS"
        case .afterBarTempo: return "POS, BAR or EOS"
        case .afterPosition: return "TEMPO or VEL"
        case .afterPositionTempo: return "VEL, a later POS, BAR or EOS"
        case .afterVelocity: return "a PITCH above the onset's last one"
        case .afterPitch: return "DUR"
        case .afterDuration: return "VEL (a higher note), a later POS (below \(barSteps)), BAR or EOS"
        case .complete: return "PAD"
        }
    }
}

extension Vocabulary {
    /// Indices of the BAR tokens in a sequence (where each bar starts).
    public func barStartIndices(_ ids: [Int]) -> [Int] {
        var out: [Int] = []
        for (i, id) in ids.enumerated() where id == barID { out.append(i) }
        return out
    }
}
