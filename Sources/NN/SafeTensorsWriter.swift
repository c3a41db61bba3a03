// Writing safetensors files: tensors are converted to their storage dtype as they are
// added, the JSON header is padded with spaces to an 8-byte boundary, and the file is
// written atomically (AtomicFile). Metadata keys are written sorted, so the same content
// gives the same bytes.
import FileSafety
import Foundation

public struct SafeTensorsWriter {
    public var metadata: [String: String] = [:]
    private var tensors: [(entry: SafeTensorsEntry, bytes: Data)] = []
    private var names: Set<String> = []
    private var dataByteCount = 0

    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a float tensor, stored as `dtype` (F32, F16, BF16 or F64).
    public mutating func add(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>, dtype: SafeTensorsDType = .f32) throws {
        try checkNew(name)
        let count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 } && count == values.count,
                     "tensor \(name): shape \(shape) does not match \(values.count) values")
        var bytes = Data(count: count * dtype.bytesPerElement)
        bytes.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
            switch dtype {
            case .f32:
                for i in 0..<count { dst.storeBytes(of: values[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            case .f16:
                for i in 0..<count { dst.storeBytes(of: HalfPrecision.f16FromFloat(values[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .bf16:
                for i in 0..<count { dst.storeBytes(of: HalfPrecision.bf16FromFloat(values[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .f64:
                for i in 0..<count { dst.storeBytes(of: Double(values[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
            default:
                preconditionFailure("float tensors are stored as F32, F16, BF16 or F64, not \(dtype.rawValue)")
            }
        }
        append(name, dtype: dtype, shape: shape, bytes: bytes)
    }

    public mutating func add(_ name: String, shape: [Int], values: [Float], dtype: SafeTensorsDType = .f32) throws {
        try values.withUnsafeBufferPointer { try add(name, shape: shape, values: $0, dtype: dtype) }
    }

    /// Adds a tensor of 64-bit integers (I64), e.g. a step counter or RNG state.
    public mutating func add(_ name: String, shape: [Int], int64s values: [Int64]) throws {
        try checkNew(name)
        precondition(shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not match \(values.count) values")
        var bytes = Data(count: values.count * 8)
        bytes.withUnsafeMutableBytes { dst in
            for (i, v) in values.enumerated() { dst.storeBytes(of: v.littleEndian, toByteOffset: 8 * i, as: Int64.self) }
        }
        append(name, dtype: .i64, shape: shape, bytes: bytes)
    }

    /// Adds a tensor of 16-bit unsigned integers (U16), e.g. token ids.
    public mutating func add(_ name: String, shape: [Int], uint16s values: [UInt16]) throws {
        try checkNew(name)
        precondition(shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not match \(values.count) values")
        var bytes = Data(count: values.count * 2)
        bytes.withUnsafeMutableBytes { dst in
            for (i, v) in values.enumerated() { dst.storeBytes(of: v.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
        }
        append(name, dtype: .u16, shape: shape, bytes: bytes)
    }

    private func checkNew(_ name: String) throws {
        guard !name.isEmpty, name != "__metadata__" else { throw SafeTensorsError.invalidName(name) }
        guard !names.contains(name) else { throw SafeTensorsError.duplicateTensor(name) }
    }

    private mutating func append(_ name: String, dtype: SafeTensorsDType, shape: [Int], bytes: Data) {
        let entry = SafeTensorsEntry(name: name, dtype: dtype, shape: shape, byteRange: dataByteCount..<(dataByteCount + bytes.count))
        tensors.append((entry, bytes))
        names.insert(name)
        dataByteCount += bytes.count
    }

    /// The whole file's bytes.
    public func encoded() -> Data {
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(metadata[$0]!))" }.joined(separator: ",")
            json += "}"
            first = false
        }
        for (entry, _) in tensors {
            if !first { json += "," }
            first = false
            json += "\(Self.quote(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],"
            json += "\"data_offsets\":[\(entry.byteRange.lowerBound),\(entry.byteRange.upperBound)]}"
        }
        json += "}"
        var header = Data(json.utf8)
        let padding = (8 - (header.count % 8)) % 8
        header.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: padding))

        var out = Data(capacity: 8 + header.count + dataByteCount)
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(header)
        for (_, bytes) in tensors { out.append(bytes) }
        return out
    }

    /// Writes the file atomically (temporary file in the same folder, then rename).
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(encoded(), to: url)
        } catch let e as AtomicFileError {
            throw SafeTensorsError.writeFailed(path: url.path, detail: e.reason)
        }
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
