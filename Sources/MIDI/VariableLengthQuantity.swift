// Variable-length quantities (VLQ) of the Standard MIDI File format: 7 bits per byte,
// most significant group first, high bit set on every byte but the last. The SMF spec
// limits them to 4 bytes (values up to 0x0FFFFFFF); encoding larger values is a
// programmer error, decoding a longer one is a file error reported by the caller.

public enum VariableLengthQuantity {
    /// The largest value a 4-byte quantity can hold.
    public static let maximum = 0x0FFF_FFFF

    /// Appends the encoding of `value` (0...maximum) to `bytes`.
    public static func append(_ value: Int, to bytes: inout [UInt8]) {
        precondition(value >= 0 && value <= maximum, "VLQ value out of range: \(value)")
        if value < 0x80 { bytes.append(UInt8(value)); return }
        var shift = 21
        while shift > 0 && (value >> shift) == 0 { shift -= 7 }
        while shift > 0 {
            bytes.append(UInt8(truncatingIfNeeded: (value >> shift) & 0x7F) | 0x80)
            shift -= 7
        }
        bytes.append(UInt8(value & 0x7F))
    }

    public static func encode(_ value: Int) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// The number of bytes `value` takes (1...4).
    public static func encodedCount(_ value: Int) -> Int {
        value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : 4
    }

    public enum DecodeFailure: Error, Equatable {
        /// The bytes ended before the last byte of the quantity.
        case truncated
        /// More than 4 bytes: not a valid SMF quantity.
        case tooLong
    }

    /// Decodes one quantity from `bytes` starting at `index` (moved past it).
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int, end: Int) -> Result<Int, DecodeFailure> {
        var value = 0
        for count in 0..<4 {
            guard index < end else { return .failure(.truncated) }
            let byte = bytes[index]
            index += 1
            value = (value << 7) | Int(byte & 0x7F)
            if byte < 0x80 { return .success(value) }
            if count == 3 { return .failure(.tooLong) }
        }
        return .failure(.tooLong)
    }

    /// Convenience over an array (tests, small inputs).
    public static func decode(_ bytes: [UInt8]) -> Result<(value: Int, count: Int), DecodeFailure> {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            return decode(buffer, at: &index, end: buffer.count).map { ($0, index) }
        }
    }
}
