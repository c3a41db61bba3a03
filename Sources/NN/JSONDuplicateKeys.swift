// Finding a key given twice in one JSON object. Foundation's decoders keep one of the two
// silently, so a safetensors header could name a tensor twice and have the reader use
// either; the reader rejects such a header instead. Runs after the decoder has accepted
// the JSON, so nesting is bounded (the decoder limits it) and the text is well formed.
import Foundation

enum JSONDuplicateKeys {
    /// The first key that appears twice in one object, with the keys of the objects that
    /// enclose it (outermost first); nil when every object's keys are distinct.
    static func first(in json: Data) -> (path: [String], key: String)? {
        var scanner = Scanner(bytes: [UInt8](json))
        do {
            try scanner.value(path: [])
        } catch let found as Duplicate {
            return (found.path, found.key)
        } catch {
            return nil  // not well formed: the decoder reports that
        }
        return nil
    }

    private struct Duplicate: Error { var path: [String]; var key: String }
    private struct Malformed: Error {}

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let c = peek, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 }
        }

        mutating func expect(_ c: Character) throws {
            skipSpace()
            guard peek == c.asciiValue else { throw Malformed() }
            i += 1
        }

        mutating func value(path: [String]) throws {
            skipSpace()
            guard let c = peek else { throw Malformed() }
            switch c {
            case UInt8(ascii: "{"):
                i += 1
                skipSpace()
                if peek == UInt8(ascii: "}") { i += 1; return }
                var seen = Set<String>()
                while true {
                    skipSpace()
                    let key = try string()
                    if !seen.insert(key).inserted { throw Duplicate(path: path, key: key) }
                    try expect(":")
                    try value(path: path + [key])
                    skipSpace()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    try expect("}")
                    return
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if peek == UInt8(ascii: "]") { i += 1; return }
                while true {
                    try value(path: path)
                    skipSpace()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    try expect("]")
                    return
                }
            case UInt8(ascii: "\""):
                _ = try string()
            default:  // a number, true, false or null
                while let d = peek, !" \t\r\n,]}".utf8.contains(d) { i += 1 }
            }
        }

        /// A string token, its escapes decoded (so "a" and "\u0061" are the same key).
        mutating func string() throws -> String {
            guard peek == UInt8(ascii: "\"") else { throw Malformed() }
            let start = i
            i += 1
            var hasEscapes = false
            while let c = peek {
                i += 1
                if c == UInt8(ascii: "\\") { hasEscapes = true; i += 1; continue }
                guard c == UInt8(ascii: "\"") else { continue }
                if !hasEscapes { return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self) }
                guard let text = try? JSONSerialization.jsonObject(with: Data(bytes[start..<i]), options: .fragmentsAllowed) as? String else {
                    throw Malformed()
                }
                return text
            }
            throw Malformed()
        }
    }
}
