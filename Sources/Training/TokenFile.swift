// Token id files for `cadenza eval --tokens`: a JSON array of ids, an array of arrays, or
// {"tokens": either}, as ../shared/bench/torch_reference.py reads them.
import FileSafety
import Foundation

public enum TokenFile {
    public static func read(_ url: URL) throws -> [[Int]] {
        do { _ = try InputFile.regularFileSize(atPath: url.path) } catch let e as InputFileError {
            throw TrainingError.io(path: url.path, detail: "cannot read: \(e)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrainingError.io(path: url.path, detail: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try parse(data, path: url.path)
    }

    public static func parse(_ data: Data, path: String) throws -> [[Int]] {
        let decoder = JSONDecoder()
        struct Wrapped<T: Decodable>: Decodable { var tokens: T }
        let sequences: [[Int]]
        if let many = try? decoder.decode([[Int]].self, from: data) {
            sequences = many
        } else if let one = try? decoder.decode([Int].self, from: data) {
            sequences = [one]
        } else if let many = try? decoder.decode(Wrapped<[[Int]]>.self, from: data) {
            sequences = many.tokens
        } else if let one = try? decoder.decode(Wrapped<[Int]>.self, from: data) {
            sequences = [one.tokens]
        } else {
            let valid = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
            throw TrainingError.badTokenFile(path: path, detail: valid ? "not an array of integers" : "not valid JSON")
        }
        guard !sequences.isEmpty else { throw TrainingError.badTokenFile(path: path, detail: "the array is empty") }
        if let i = sequences.firstIndex(where: \.isEmpty) {
            throw TrainingError.badTokenFile(path: path, detail: "sequence \(i) is empty")
        }
        return sequences
    }
}
