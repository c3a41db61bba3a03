// Bytes read from a file, made safe to print in an error message. A hostile or corrupt
// file can hold an ESC (terminal control sequences), a newline (a forged second message)
// or invalid UTF-8; every reader quotes such bytes through this one function.

/// `bytes` as text for a message: printable ASCII and valid UTF-8 letters stay, a
/// backslash becomes `\\`, and every other byte (controls, DEL, C1 controls, invalid or
/// overlong UTF-8, format characters such as bidirectional overrides) becomes `\xNN`.
public func escapedForDisplay<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let bytes = Array(bytes)
    var out = ""
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b == UInt8(ascii: "\\") {
            out += "\\\\"
            i += 1
            continue
        }
        if b >= 0x20 && b < 0x7F {
            out.unicodeScalars.append(Unicode.Scalar(b))
            i += 1
            continue
        }
        if let (scalar, length) = printableScalar(in: bytes, at: i) {
            out.unicodeScalars.append(scalar)
            i += length
            continue
        }
        out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
        i += 1
    }
    return out
}

/// A string that came from a file (a decoded name, a JSON value), escaped the same way.
public func escapedForDisplay(_ text: String) -> String {
    escapedForDisplay(Array(text.utf8))
}

/// The multi-byte UTF-8 scalar starting at `i` and its length, if it is well formed and
/// visible (not a control, format or separator character).
private func printableScalar(in bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
    let lead = bytes[i]
    let length: Int
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF4: length = 4
    default: return nil
    }
    guard i + length <= bytes.count else { return nil }
    var iterator = bytes[i..<(i + length)].makeIterator()
    var decoder = UTF8()
    guard case .scalarValue(let scalar) = decoder.decode(&iterator), iterator.next() == nil,
          UTF8.width(scalar) == length else { return nil }
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: return nil
    default: return (scalar, length)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
