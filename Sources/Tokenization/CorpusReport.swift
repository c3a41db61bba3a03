// The corpus report behind `cadenza tokenize --report DIR`: every MIDI file under a
// directory is read, encoded, decoded and compared (RoundTrip.swift), on all cores,
// and the results are summed per folder (composer). Reads files; prints nothing.
import Foundation
import MIDI

public struct CorpusReport: Sendable {
    public struct Failure: Hashable, Sendable {
        public var file: String
        public var reason: String
    }

    public struct Row: Hashable, Sendable {
        /// The folder relative to the report's root, e.g. "scores/chopin".
        public var group: String
        public var files = 0
        public var result = RoundTripResult()
        public var failures: [Failure] = []
    }

    public var rows: [Row]
    public var configuration: TokenizerConfiguration
    public var vocabularySize: Int

    /// Reads every .mid/.midi file under `directory` (recursively) and measures the round trip.
    public static func measure(directory: URL, tokenizer: Tokenizer) throws -> CorpusReport {
        let files = try midiFiles(under: directory)
        let rootPath = directory.standardizedFileURL.path
        var outcomes = [(group: String, result: RoundTripResult?, failure: Failure?)](
            repeating: ("", nil, nil), count: files.count)
        outcomes.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            DispatchQueue.concurrentPerform(iterations: files.count) { i in
                let url = files[i]
                var relative = url.deletingLastPathComponent().standardizedFileURL.path
                if relative.hasPrefix(rootPath) { relative = String(relative.dropFirst(rootPath.count)) }
                while relative.hasPrefix("/") { relative.removeFirst() }
                let group = relative.isEmpty ? "." : relative
                do {
                    let score = PianoScore(midi: try MIDIFile(contentsOf: url))
                    let result = try tokenizer.roundTrip(score)
                    out[i] = (group, result, nil)
                } catch {
                    out[i] = (group, nil, Failure(file: url.lastPathComponent, reason: "\(error)"))
                }
            }
        }
        var byGroup: [String: Row] = [:]
        for o in outcomes {
            var row = byGroup[o.group] ?? Row(group: o.group)
            row.files += 1
            if let r = o.result { row.result = row.result + r }
            if let f = o.failure { row.failures.append(f) }
            byGroup[o.group] = row
        }
        return CorpusReport(rows: byGroup.values.sorted { $0.group < $1.group },
                            configuration: tokenizer.configuration, vocabularySize: tokenizer.vocabulary.count)
    }

    static func midiFiles(under directory: URL) throws -> [URL] {
        do { return try MIDIFolder.files(under: directory).map(\.url) } catch let failure as MIDIFolder.Failure {
            throw TokenizationError.unreadableDirectory(path: directory.path, reason: failure.description)
        }
    }

    /// Rows summed by the first path component ("scores", "performances"), then all.
    public var totals: [Row] {
        var parts: [String: Row] = [:]
        var all = Row(group: "all")
        for row in rows {
            let part = row.group.split(separator: "/").first.map(String.init) ?? row.group
            var p = parts[part] ?? Row(group: part + " (all)")
            p.files += row.files; p.result = p.result + row.result; p.failures += row.failures
            parts[part] = p
            all.files += row.files; all.result = all.result + row.result; all.failures += row.failures
        }
        let list = parts.values.sorted { $0.group < $1.group }
        return list.count > 1 ? list + [all] : [all]
    }

    /// The report as a Markdown table, then the failures.
    public func table() -> String {
        var out = "| composer | files | notes | tokens | tokens/note | kept % | onset err ms | re-timed ms | tempo tok/note | moved | capped | merged | failed |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        func line(_ row: Row) -> String {
            let r = row.result
            let notes = r.originalNotes
            let perNote = notes > 0 ? Double(r.tokens) / Double(notes) : 0
            let tempoPerNote = notes > 0 ? Double(r.statistics.tempoTokens) / Double(notes) : 0
            return "| \(row.group) | \(row.files) | \(notes) | \(r.tokens) | \(fmt(perNote, 2)) | \(fmt(100 * r.keptFraction, 2)) | "
                + "\(fmt(1000 * r.meanOnsetErrorSeconds, 1)) | \(fmt(1000 * r.meanRubatoSeconds, 0)) | \(fmt(tempoPerNote, 3)) | \(r.statistics.movedNotes) | "
                + "\(r.statistics.cappedNotes) | \(r.statistics.mergedNotes) | \(row.failures.count) |\n"
        }
        for row in rows { out += line(row) }
        for row in totals { out += line(row) }
        if let all = totals.last, all.result.keyBars > 0 {
            let r = all.result
            out += "\nKey-finding against the files' own key signatures (\(r.keyBars) bars): same key "
                + "\(fmt(100 * Double(r.keyBarsSameKey) / Double(r.keyBars), 1))%, same signature "
                + "\(fmt(100 * Double(r.keyBarsSameSignature) / Double(r.keyBars), 1))%\n"
        }
        let failures = rows.flatMap { row in row.failures.map { (row.group, $0) } }
        if !failures.isEmpty {
            out += "\nFailed files:\n"
            for (group, f) in failures { out += "- \(group)/\(f.file): \(f.reason)\n" }
        }
        return out
    }

    private func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
}
