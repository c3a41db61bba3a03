// music_eval.py's summarize: the mean of every window measure over all windows of a set of
// pieces, and the mean key stability of the pieces with two or more windows.
import Foundation

public struct WindowSummary: Hashable, Sendable, Codable {
    /// Means over all windows, in `WindowMeasures.featureNames` order (NaN with no windows).
    public var means: [Double]
    /// Mean over pieces of `PieceWindows.keyStability`; nil when no piece has two windows.
    public var keyStability: Double?
    public var pieces: Int
    public var windows: Int

    public init(pieces: [PieceWindows]) {
        let rows = pieces.flatMap(\.windows).map(\.features)
        means = WindowMeasures.featureNames.indices.map { i in NumPy.mean(rows.map { $0[i] }) }
        let stabilities = pieces.compactMap(\.keyStability)
        keyStability = stabilities.isEmpty ? nil : NumPy.mean(stabilities)
        self.pieces = pieces.count
        windows = rows.count
    }

    /// A measure by its music_eval.py name, key_stability included; NaN when absent.
    public func measure(_ name: String) -> Double {
        name == "key_stability" ? (keyStability ?? .nan) : (self[name] ?? .nan)
    }

    /// The mean of one measure by its music_eval.py name ("in_key", "notes_per_s", ...).
    public subscript(feature: String) -> Double? {
        WindowMeasures.featureNames.firstIndex(of: feature).map { means[$0] }
    }

    /// The summary as music_eval.py's JSON object prints it (key_stability NaN when absent).
    public var dictionary: [String: Double] {
        var d: [String: Double] = [:]
        for (name, value) in zip(WindowMeasures.featureNames, means) { d[name] = value }
        d["key_stability"] = keyStability ?? .nan
        d["pieces"] = Double(pieces)
        d["windows"] = Double(windows)
        return d
    }
}
