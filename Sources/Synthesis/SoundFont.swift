// The SoundFont 2 data model as parsed from a file: presets and instruments with
// their zones (generators and modulators), sample headers, and the 16-bit sample
// pool. Parsing is in SoundFontParser.swift, playback in SoundFontInstrument.swift.
// Indices in zones are validated at parse time, so players may use them directly.
import FileSafety
import Foundation

/// SF2 generator numbers we use (section 8.1.2 of the SoundFont 2.04 specification).
enum SFGenerator {
    static let startAddrsOffset = 0, endAddrsOffset = 1, startloopAddrsOffset = 2, endloopAddrsOffset = 3
    static let startAddrsCoarseOffset = 4, modEnvToPitch = 7, initialFilterFc = 8, initialFilterQ = 9
    static let modEnvToFilterFc = 11, endAddrsCoarseOffset = 12, pan = 17
    static let delayModEnv = 25, attackModEnv = 26, holdModEnv = 27, decayModEnv = 28, sustainModEnv = 29
    static let releaseModEnv = 30, keynumToModEnvHold = 31, keynumToModEnvDecay = 32
    static let delayVolEnv = 33, attackVolEnv = 34, holdVolEnv = 35, decayVolEnv = 36, sustainVolEnv = 37
    static let releaseVolEnv = 38, keynumToVolEnvHold = 39, keynumToVolEnvDecay = 40
    static let instrument = 41, keyRange = 43, velRange = 44, startloopAddrsCoarseOffset = 45
    static let keynum = 46, velocity = 47, initialAttenuation = 48, endloopAddrsCoarseOffset = 50
    static let coarseTune = 51, fineTune = 52, sampleID = 53, sampleModes = 54, scaleTuning = 56
    static let exclusiveClass = 57, overridingRootKey = 58
    static let count = 61

    /// Generators only meaningful at instrument level (ignored in preset zones, per spec).
    static let instrumentOnly: Set<Int> = [0, 1, 2, 3, 4, 12, 45, 46, 47, 50, 54, 57, 58]

    /// Default values (spec 8.1.3); unlisted generators default to 0.
    static let defaults: [Int32] = {
        var d = [Int32](repeating: 0, count: count)
        d[initialFilterFc] = 13_500
        for g in [21, 23, 25, 26, 27, 28, 30, 33, 34, 35, 36, 38] { d[g] = -12_000 }
        d[keyRange] = 127 << 8     // lo 0, hi 127 (lo in low byte)
        d[velRange] = 127 << 8
        d[keynum] = -1; d[velocity] = -1
        d[scaleTuning] = 100
        d[overridingRootKey] = -1
        return d
    }()
}

/// A modulator record: sources, destination generator, amount and transform.
public struct SoundFontModulator: Hashable, Sendable {
    public var source: UInt16
    public var destination: UInt16
    public var amount: Int16
    public var amountSource: UInt16
    public var transform: UInt16

    /// Two modulators are "identical" (the later replaces the earlier) when all but the amount match.
    func sameIdentity(as other: SoundFontModulator) -> Bool {
        source == other.source && destination == other.destination && amountSource == other.amountSource && transform == other.transform
    }
}

/// A zone: generators that were set (by number) plus modulators. `link` is the
/// instrument index (preset zones) or sample index (instrument zones), nil for a global zone.
public struct SoundFontZone: Sendable {
    public var generators: [(number: Int, amount: Int16)]
    public var modulators: [SoundFontModulator]
    public var link: Int?

    /// Key range (lo...hi), all keys if not set.
    public var keyRange: ClosedRange<Int> { range(SFGenerator.keyRange) }
    public var velocityRange: ClosedRange<Int> { range(SFGenerator.velRange) }

    private func range(_ number: Int) -> ClosedRange<Int> {
        guard let g = generators.last(where: { $0.number == number }) else { return 0...127 }
        let raw = UInt16(bitPattern: g.amount)
        let lo = Int(raw & 0xFF), hi = Int(raw >> 8)
        return min(lo, hi)...max(lo, hi)
    }
}

public struct SoundFontPreset: Sendable {
    public var name: String
    public var program: Int
    public var bank: Int
    public var globalZone: SoundFontZone?
    public var zones: [SoundFontZone]
}

public struct SoundFontInstrumentDefinition: Sendable {
    public var name: String
    public var globalZone: SoundFontZone?
    public var zones: [SoundFontZone]
}

public struct SoundFontSample: Sendable {
    public var name: String
    /// Indices into `SoundFont.sampleData` (end is one past the last sample).
    public var start: Int
    public var end: Int
    public var loopStart: Int
    public var loopEnd: Int
    public var sampleRate: Int
    public var originalPitch: Int
    public var pitchCorrectionCents: Int
    public var type: Int
}

public struct SoundFont: Sendable {
    public var name: String
    public var presets: [SoundFontPreset]
    public var instruments: [SoundFontInstrumentDefinition]
    public var samples: [SoundFontSample]
    /// The 16-bit sample pool (the `smpl` chunk).
    public var sampleData: [Int16]

    /// Parses SF2 bytes. `path` only names the file in errors.
    public init(data: Data, path: String = "<memory>") throws {
        self = try SoundFontParser(data: data, path: path).parse()
    }

    /// Reads and parses an .sf2 file.
    public init(contentsOf url: URL) throws {
        do { _ = try InputFile.regularFileSize(atPath: url.path) } catch let e as InputFileError {
            throw SynthesisError.cannotRead(path: url.path, reason: e.description)
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw SynthesisError.cannotRead(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    init(name: String, presets: [SoundFontPreset], instruments: [SoundFontInstrumentDefinition],
         samples: [SoundFontSample], sampleData: [Int16]) {
        self.name = name
        self.presets = presets
        self.instruments = instruments
        self.samples = samples
        self.sampleData = sampleData
    }

    /// The preset for bank/program, or nil.
    public func preset(bank: Int, program: Int) -> SoundFontPreset? {
        presets.first { $0.bank == bank && $0.program == program }
    }
}
