// Reading safetensors files, which are untrusted input: every length, offset and shape is
// checked against the bytes actually present before anything is allocated from it, and
// each failure is a SafeTensorsError naming the tensor or byte offset. Offsets must tile
// the data exactly (no overlap, no gap, no trailing bytes), as the reference reader demands,
// and no JSON object may give a key twice (a second tensor of one name is not ignored).
import FileSafety
import Foundation

public struct SafeTensorsFile: Sendable {
    /// Upper bound on the JSON header, as in the reference implementation (100 MB).
    public static let maxHeaderByteCount = 100_000_000

    public let metadata: [String: String]
    /// Entries in the order of their data.
    public let entries: [SafeTensorsEntry]
    private let byName: [String: Int]
    private let bytes: Data
    /// File offset of the first data byte (8 + header length).
    public let dataStart: Int

    public init(contentsOf url: URL) throws {
        do { _ = try InputFile.regularFileSize(atPath: url.path) } catch let e as InputFileError {
            throw SafeTensorsError.readFailed(path: url.path, detail: e.description)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError.readFailed(path: url.path, detail: (error as NSError).localizedDescription)
        }
        try self.init(data: data)
    }

    public init(data: Data) throws {
        // Data may be a slice with a nonzero startIndex; work on a zero-based copy of the view.
        let bytes = data.startIndex == 0 ? data : Data(data)
        self.bytes = bytes
        let fileByteCount = bytes.count

        // 1. The 8-byte little-endian header length, checked against the file.
        guard fileByteCount >= 8 else { throw SafeTensorsError.fileTooShort(byteCount: fileByteCount) }
        var claimed: UInt64 = 0
        for i in 0..<8 { claimed |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard claimed <= UInt64(fileByteCount - 8), claimed <= UInt64(Self.maxHeaderByteCount), claimed >= 2 else {
            throw SafeTensorsError.headerLengthOutOfRange(claimed: claimed, fileByteCount: fileByteCount)
        }
        let headerByteCount = Int(claimed)
        dataStart = 8 + headerByteCount
        let dataByteCount = fileByteCount - dataStart

        // 2. The JSON header.
        let headerBytes = bytes.subdata(in: 8..<dataStart)
        guard headerBytes.first == UInt8(ascii: "{") else { throw SafeTensorsError.headerNotObject }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let e as SafeTensorsError {
            throw e
        } catch {
            throw SafeTensorsError.headerNotJSON(detail: Self.describe(error))
        }
        if let (path, key) = JSONDuplicateKeys.first(in: headerBytes) {
            switch path.first {
            case nil where key == "__metadata__": throw SafeTensorsError.badMetadata(detail: "given twice")
            case nil: throw SafeTensorsError.duplicateTensor(key)
            case "__metadata__": throw SafeTensorsError.badMetadata(detail: "key '\(key)' given twice")
            case let tensor?: throw SafeTensorsError.badEntry(tensor: tensor, detail: "'\(key)' given twice")
            }
        }
        metadata = header.metadata

        // 3. Each entry: dtype, shape, offsets, and byte count agreeing with the shape.
        var entries: [SafeTensorsEntry] = []
        entries.reserveCapacity(header.entries.count)
        for (name, raw) in header.entries {
            guard let dtype = SafeTensorsDType(rawValue: raw.dtype) else {
                throw SafeTensorsError.unknownDType(tensor: name, dtype: raw.dtype)
            }
            var elementCount = 1
            for dim in raw.shape {
                guard dim >= 0 else { throw SafeTensorsError.badShape(tensor: name, detail: "negative dimension \(dim) in \(raw.shape)") }
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw SafeTensorsError.badShape(tensor: name, detail: "\(raw.shape) has too many elements") }
                elementCount = product
            }
            let (needed, overflow) = elementCount.multipliedReportingOverflow(by: dtype.bytesPerElement)
            guard !overflow else { throw SafeTensorsError.badShape(tensor: name, detail: "\(raw.shape) has too many elements") }
            guard raw.offsets.count == 2 else {
                throw SafeTensorsError.badEntry(tensor: name, detail: "data_offsets must be [begin, end], got \(raw.offsets)")
            }
            let begin = raw.offsets[0], end = raw.offsets[1]
            guard begin >= 0, end >= begin else {
                throw SafeTensorsError.badEntry(tensor: name, detail: "data_offsets [\(begin), \(end)] are not increasing")
            }
            guard end - begin == needed else {
                throw SafeTensorsError.byteCountMismatch(tensor: name, shape: raw.shape, dtype: dtype.rawValue, expected: needed, actual: end - begin)
            }
            entries.append(SafeTensorsEntry(name: name, dtype: dtype, shape: raw.shape, byteRange: begin..<end))
        }

        // 4. The offsets lie in the data and tile it: sorted, each starting where the previous ended.
        entries.sort { ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name) < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name) }
        var cursor = 0
        for (i, entry) in entries.enumerated() {
            if entry.byteRange.upperBound > dataByteCount {
                throw SafeTensorsError.offsetsOutOfRange(tensor: entry.name, end: entry.byteRange.upperBound, dataByteCount: dataByteCount,
                                                         fileOffset: dataStart + dataByteCount)
            }
            if entry.byteRange.lowerBound < cursor {
                throw SafeTensorsError.offsetsOverlap(tensor: entry.name, other: entries[i - 1].name, fileOffset: dataStart + entry.byteRange.lowerBound)
            }
            if entry.byteRange.lowerBound > cursor {
                throw SafeTensorsError.gapInData(before: entry.name, fileOffset: dataStart + cursor)
            }
            cursor = entry.byteRange.upperBound
        }
        if cursor != dataByteCount {
            throw SafeTensorsError.trailingBytes(fileOffset: dataStart + cursor, count: dataByteCount - cursor)
        }
        self.entries = entries
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    public var tensorNames: [String] { entries.map(\.name) }

    public func entry(_ name: String) -> SafeTensorsEntry? {
        byName[name].map { entries[$0] }
    }

    /// The tensor's values as Float32 (F32 exactly; F16, BF16 exactly widened; F64 rounded).
    public func floats(_ name: String) throws -> [Float] {
        guard let entry = entry(name) else { throw SafeTensorsError.missingTensor(name) }
        return try [Float](unsafeUninitializedCapacity: entry.elementCount) { buffer, count in
            try readFloats(entry, into: buffer)
            count = entry.elementCount
        }
    }

    /// Converts the tensor into `buffer`, which must hold exactly its element count.
    public func readFloats(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let entry = entry(name) else { throw SafeTensorsError.missingTensor(name) }
        try readFloats(entry, into: buffer)
    }

    private func readFloats(_ entry: SafeTensorsEntry, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let n = entry.elementCount
        precondition(buffer.count == n, "buffer of \(buffer.count) floats for tensor \(entry.name) of \(n)")
        let start = dataStart + entry.byteRange.lowerBound
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + entry.byteRange.count)])
            switch entry.dtype {
            case .f32:
                for i in 0..<n { buffer[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f16:
                for i in 0..<n { buffer[i] = HalfPrecision.floatFromF16(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .bf16:
                for i in 0..<n { buffer[i] = HalfPrecision.floatFromBF16(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .f64:
                for i in 0..<n { buffer[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
            default:
                throw SafeTensorsError.unsupportedDType(tensor: entry.name, dtype: entry.dtype.rawValue)
            }
        }
    }

    /// The tensor's raw little-endian bytes (for integer tensors).
    public func rawBytes(_ name: String) throws -> Data {
        guard let entry = entry(name) else { throw SafeTensorsError.missingTensor(name) }
        return bytes.subdata(in: (dataStart + entry.byteRange.lowerBound)..<(dataStart + entry.byteRange.upperBound))
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case .dataCorrupted(let c): return c.debugDescription
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
                let path = c.codingPath.map(\.stringValue).joined(separator: ".")
                return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
            @unknown default: return "\(e)"
            }
        }
        return "\(error)"
    }
}

/// The header as JSON: tensor entries and the optional `__metadata__` map.
private struct RawHeader: Decodable {
    var entries: [(String, RawEntry)] = []
    var metadata: [String: String] = [:]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                do {
                    metadata = try container.decode([String: String].self, forKey: key)
                } catch {
                    throw SafeTensorsError.badMetadata(detail: "must be an object of string values")
                }
                continue
            }
            guard !key.stringValue.isEmpty else { throw SafeTensorsError.invalidName("") }
            do {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            } catch let e as DecodingError {
                var detail = "needs dtype (string), shape (array of integers) and data_offsets ([begin, end])"
                if case .keyNotFound(let k, _) = e { detail = "missing '\(k.stringValue)'" }
                if case .typeMismatch(_, let c) = e, let last = c.codingPath.last(where: { $0.intValue == nil }) {
                    detail = "'\(last.stringValue)' has the wrong type"
                }
                throw SafeTensorsError.badEntry(tensor: key.stringValue, detail: detail)
            }
        }
    }
}

private struct RawEntry: Decodable {
    var dtype: String
    var shape: [Int]
    var offsets: [Int]
    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case offsets = "data_offsets"
    }
}
