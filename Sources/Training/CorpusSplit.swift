// Splitting a tokenized corpus into training and validation by whole files. The rule does
// not depend on the seed or on which other files exist: files are ranked by a hash of their
// relative path and the first ⌈fraction·n⌉ go to validation (at least one when the fraction
// is positive and there are two or more files; at least one file always trains).

public struct CorpusSplit: Sendable {
    public var training: [TokenizedFile]
    public var validation: [TokenizedFile]

    public init(_ files: [TokenizedFile], validationFraction: Double) {
        let ranked = files.sorted {
            let a = ContentHash.of(Array($0.relativePath.utf8)), b = ContentHash.of(Array($1.relativePath.utf8))
            return a != b ? a < b : $0.relativePath < $1.relativePath
        }
        var count = Int((validationFraction * Double(files.count)).rounded(.up))
        if validationFraction > 0 && files.count >= 2 { count = max(count, 1) }
        count = min(count, max(files.count - 1, 0))
        let validationPaths = Set(ranked.prefix(count).map(\.relativePath))
        // Both parts keep the corpus order (sorted paths).
        training = files.filter { !validationPaths.contains($0.relativePath) }
        validation = files.filter { validationPaths.contains($0.relativePath) }
    }
}
