// The safetensors format's vocabulary: element types, one tensor's header entry, and the
// errors a reader or writer reports. Reading is in SafeTensorsReader.swift, writing in
// SafeTensorsWriter.swift. Format: 8-byte little-endian header length N, N bytes of JSON
// ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}),
// then the tensors' bytes, contiguous and little-endian, offsets relative to the data start.
import UntrustedText

/// Element types of the safetensors format. Only the float types convert to Float32;
/// the others are recognised so that a file holding them still parses.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
    case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    public var bytesPerElement: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
        }
    }

    /// The types a checkpoint may be stored in (`--dtype f32|f16|bf16`).
    public static func parseStorage(_ text: String) -> SafeTensorsDType? {
        switch text.lowercased() {
        case "f32", "float32", "fp32": return .f32
        case "f16", "float16", "fp16", "half": return .f16
        case "bf16", "bfloat16": return .bf16
        default: return nil
        }
    }
}

/// One tensor as the header describes it. `byteRange` is relative to the start of the data.
public struct SafeTensorsEntry: Sendable, Equatable {
    public var name: String
    public var dtype: SafeTensorsDType
    public var shape: [Int]
    public var byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case fileTooShort(byteCount: Int)
    case headerLengthOutOfRange(claimed: UInt64, fileByteCount: Int)
    case headerNotJSON(detail: String)
    case headerNotObject
    case badEntry(tensor: String, detail: String)
    case unknownDType(tensor: String, dtype: String)
    case badShape(tensor: String, detail: String)
    case byteCountMismatch(tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    case offsetsOutOfRange(tensor: String, end: Int, dataByteCount: Int, fileOffset: Int)
    case offsetsOverlap(tensor: String, other: String, fileOffset: Int)
    case gapInData(before: String, fileOffset: Int)
    case trailingBytes(fileOffset: Int, count: Int)
    case badMetadata(detail: String)
    case missingTensor(String)
    case unsupportedDType(tensor: String, dtype: String)
    case duplicateTensor(String)
    case invalidName(String)
    case writeFailed(path: String, detail: String)
    case readFailed(path: String, detail: String)

    /// Tensor names, dtypes and details quote the file's own bytes, so they are escaped
    /// (an ESC or a newline in a header must not reach the terminal); paths are the user's.
    public var description: String {
        func q(_ text: String) -> String { escapedForDisplay(text) }
        switch self {
        case .fileTooShort(let n):
            return "not a safetensors file: \(n) bytes, fewer than the 8-byte header length"
        case .headerLengthOutOfRange(let claimed, let size):
            return "header length \(claimed) at byte 0 does not fit in the \(size)-byte file (truncated or not safetensors)"
        case .headerNotJSON(let d):
            return "header (byte 8) is not valid JSON: \(q(d))"
        case .headerNotObject:
            return "header (byte 8) is not a JSON object"
        case .badEntry(let t, let d):
            return "tensor '\(q(t))': \(q(d))"
        case .unknownDType(let t, let d):
            return "tensor '\(q(t))': unknown dtype '\(q(d))'"
        case .badShape(let t, let d):
            return "tensor '\(q(t))': bad shape: \(q(d))"
        case .byteCountMismatch(let t, let shape, let d, let e, let a):
            return "tensor '\(q(t))': shape \(shape) of \(q(d)) needs \(e) bytes but its offsets span \(a)"
        case .offsetsOutOfRange(let t, let end, let n, let off):
            return "tensor '\(q(t))': data ends at \(end) (file byte \(off)) beyond the \(n) data bytes present (truncated file?)"
        case .offsetsOverlap(let t, let o, let off):
            return "tensor '\(q(t))' overlaps tensor '\(q(o))' at file byte \(off)"
        case .gapInData(let t, let off):
            return "unused bytes before tensor '\(q(t))' at file byte \(off)"
        case .trailingBytes(let off, let n):
            return "\(n) bytes after the last tensor at file byte \(off)"
        case .badMetadata(let d):
            return "__metadata__: \(q(d))"
        case .missingTensor(let t):
            return "no tensor named '\(q(t))'"
        case .unsupportedDType(let t, let d):
            return "tensor '\(q(t))': dtype \(q(d)) cannot be read as floats (expected F32, F16, BF16 or F64)"
        case .duplicateTensor(let t):
            return "tensor '\(q(t))' given twice"
        case .invalidName(let t):
            return "invalid tensor name '\(q(t))'"
        case .writeFailed(let p, let d):
            return "could not write \(p): \(d)"
        case .readFailed(let p, let d):
            return "could not read \(p): \(d)"
        }
    }
}
