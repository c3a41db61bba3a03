// The safetensors reader and writer: round trips in every float dtype, byte-exact layout,
// exact half-precision conversions, and untrusted files (every truncation, lying header
// lengths, bad offsets, shapes and dtypes) rejected with an error, never a crash.
import Foundation
import Testing
import TestSupport
@testable import NN

@Suite struct SafeTensorsTests {
    /// A small file with three tensors and metadata.
    static func sample(dtype: SafeTensorsDType = .f32) throws -> Data {
        var w = SafeTensorsWriter(metadata: ["format": "pt", "vocab": "{\"a\": [1, 2], \"q\": \"\\\"x\\\"\\n\"}"])
        try w.add("embedding.weight", shape: [3, 2], values: [1, -2, 0.5, 3.25, -0.125, 1024], dtype: dtype)
        try w.add("head.bias", shape: [3], values: [0.1, 0.2, 0.3], dtype: dtype)
        try w.add("empty", shape: [0, 4], values: [], dtype: dtype)
        return w.encoded()
    }

    static func withHeader(_ json: String, data: [UInt8]) -> Data {
        var out = Data()
        var n = UInt64(json.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(json.utf8))
        out.append(contentsOf: data)
        return out
    }

    @Test func roundTripF32KeepsValuesShapesAndMetadata() throws {
        let file = try SafeTensorsFile(data: Self.sample())
        #expect(Set(file.tensorNames) == ["embedding.weight", "head.bias", "empty"])
        #expect(file.entry("embedding.weight")?.shape == [3, 2])
        #expect(file.entry("embedding.weight")?.dtype == .f32)
        #expect(try file.floats("embedding.weight") == [1, -2, 0.5, 3.25, -0.125, 1024])
        #expect(try file.floats("head.bias") == [0.1, 0.2, 0.3])
        #expect(try file.floats("empty") == [])
        #expect(file.metadata["format"] == "pt")
        #expect(file.metadata["vocab"] == "{\"a\": [1, 2], \"q\": \"\\\"x\\\"\\n\"}")
    }

    @Test func headerIsPaddedToEightBytesWithSpaces() throws {
        let data = try Self.sample()
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect((8 + n) % 8 == 0)
        let header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{"))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        #expect(header.contains("\"embedding.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]}"))
        #expect(data.count == 8 + n + 24 + 12)
    }

    @Test func halfPrecisionRoundTripsAreExactForRepresentableValues() throws {
        for dtype in [SafeTensorsDType.f16, .bf16] {
            let file = try SafeTensorsFile(data: Self.sample(dtype: dtype))
            #expect(file.entry("head.bias")?.dtype == dtype)
            #expect(try file.floats("embedding.weight") == [1, -2, 0.5, 3.25, -0.125, 1024])
            let bias = try file.floats("head.bias")
            let tolerance: Float = dtype == .f16 ? 1e-3 : 4e-3
            for (a, b) in zip(bias, [Float(0.1), 0.2, 0.3]) { #expect(abs(a - b) <= tolerance * b) }
        }
    }

    #if !(os(macOS) && arch(x86_64))  // Float16 is unavailable on Intel Macs
    @Test func f16DecodingMatchesFloat16ForEveryBitPattern() {
        for bits in 0...UInt16.max {
            let mine = HalfPrecision.floatFromF16(bits)
            let reference = Float(Float16(bitPattern: bits))
            #expect(mine.bitPattern == reference.bitPattern || (mine.isNaN && reference.isNaN))
        }
    }

    @Test func f16EncodingRoundsLikeFloat16() {
        var rng = SafeTensorsTestRNG(seed: 7)
        var values: [Float] = [0, -0, 1, 65504, 65520, 65519.99, 1e-8, 2.98e-8, 5.96e-8, 6.1e-5, 6.0e-5, .infinity, -.infinity, 1e6, -3.0e-7]
        for _ in 0..<100_000 {
            // Random bit patterns cover normals, subnormals, overflow and rounding ties.
            values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
        }
        for ulp in 0..<2048 { values.append(Float(bitPattern: 0x3380_0000 + UInt32(ulp) << 12)) }  // ties near subnormals
        for v in values {
            let mine = HalfPrecision.f16FromFloat(v)
            let reference = Float16(v).bitPattern
            if v.isNaN { #expect(HalfPrecision.floatFromF16(mine).isNaN) } else { #expect(mine == reference, "\(v)") }
        }
    }
    #endif

    @Test func bf16RoundsToNearestEven() {
        #expect(HalfPrecision.bf16FromFloat(1) == 0x3F80)
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie, even stays
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie, odd rounds up
        #expect(HalfPrecision.bf16FromFloat(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfPrecision.floatFromBF16(HalfPrecision.bf16FromFloat(.nan)).isNaN)
        #expect(HalfPrecision.bf16FromFloat(.greatestFiniteMagnitude) == 0x7F80)  // overflows to +Inf
    }

    @Test func int64TensorsRoundTrip() throws {
        var w = SafeTensorsWriter()
        try w.add("step", shape: [2], int64s: [42, -1])
        let file = try SafeTensorsFile(data: w.encoded())
        let raw = try file.rawBytes("step")
        #expect(raw.count == 16)
        #expect(raw.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) } == -1)
        #expect(throws: SafeTensorsError.unsupportedDType(tensor: "step", dtype: "I64")) { try file.floats("step") }
    }

    @Test func writerRejectsDuplicateNames() throws {
        var w = SafeTensorsWriter()
        try w.add("a", shape: [1], values: [1])
        #expect(throws: SafeTensorsError.duplicateTensor("a")) { try w.add("a", shape: [1], values: [2]) }
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        let data = try Self.sample()
        for length in 0..<data.count {
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(data: data.prefix(length)) }
        }
        _ = try SafeTensorsFile(data: data)
    }

    @Test func truncatedDataNamesTheTensor() throws {
        let data = try Self.sample()
        do {
            _ = try SafeTensorsFile(data: data.prefix(data.count - 4))
            Issue.record("expected an error")
        } catch let e as SafeTensorsError {
            guard case .offsetsOutOfRange(let tensor, _, _, _) = e else { Issue.record("\(e)"); return }
            #expect(tensor == "head.bias")
            #expect(e.description.contains("truncated"))
        }
    }

    @Test func lyingHeaderLengths() throws {
        var data = try Self.sample()
        for claimed: UInt64 in [0, 1, UInt64(data.count), UInt64.max, 1 << 40, 0x7FFF_FFFF_FFFF_FFFF] {
            withUnsafeBytes(of: claimed.littleEndian) { data.replaceSubrange(0..<8, with: $0) }
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(data: data) }
        }
        // A length that is too short cuts the JSON: an error about the header.
        withUnsafeBytes(of: UInt64(20).littleEndian) { data.replaceSubrange(0..<8, with: $0) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(data: data) }
    }

    @Test func corruptedHeaders() {
        let four: [UInt8] = [0, 0, 128, 63]  // 1.0f
        let cases: [(String, [UInt8], (SafeTensorsError) -> Bool)] = [
            ("not json at all", four, { if case .headerNotObject = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", four, { if case .headerNotJSON = $0 { true } else { false } }),
            ("[1,2]", [], { if case .headerNotObject = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, { $0 == .unknownDType(tensor: "a", dtype: "F99") }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four, { if case .byteCountMismatch(tensor: "a", _, _, 8, 4) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, { if case .byteCountMismatch(tensor: "a", _, _, 2, 4) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", four, { if case .badShape(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,4]}}", four, { if case .badShape(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776],\"data_offsets\":[0,4398046511104]}}", four, { if case .offsetsOutOfRange(tensor: "a", _, _, _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,4]}}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", four, {
                switch $0 { case .badEntry(tensor: "a", _), .headerNotJSON: true; default: false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":5}", four, { if case .badEntry(tensor: "a", _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four,
             { if case .offsetsOverlap = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", four,
             { if case .offsetsOverlap = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", four, { if case .gapInData(before: "a", fileOffset: _) = $0 { true } else { false } }),
            ("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", four, { if case .trailingBytes = $0 { true } else { false } }),
            ("{\"__metadata__\":{\"k\":1}}", [], { if case .badMetadata = $0 { true } else { false } }),
            ("{\"__metadata__\":[\"k\"]}", [], { if case .badMetadata = $0 { true } else { false } }),
            ("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", four, { $0 == .invalidName("") }),
        ]
        for (json, bytes, matches) in cases {
            do {
                _ = try SafeTensorsFile(data: Self.withHeader(json, data: bytes))
                Issue.record("accepted: \(json)")
            } catch let e as SafeTensorsError {
                #expect(matches(e), "\(json) -> \(e)")
                #expect(!e.description.isEmpty)
            } catch {
                Issue.record("\(json) -> non-SafeTensorsError \(error)")
            }
        }
    }

    @Test func keysGivenTwiceAreRejected() {
        let four: [UInt8] = [0, 0, 128, 63]
        let a = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"
        let cases: [(String, SafeTensorsError)] = [
            ("{\"a\":\(a),\"a\":\(a)}", .duplicateTensor("a")),
            ("{\"a\":\(a), \"\\u0061\" : \(a)}", .duplicateTensor("a")),  // the same name spelled with an escape
            ("{\"__metadata__\":{\"V\":\"1\",\"V\":\"2\"},\"a\":\(a)}", .badMetadata(detail: "key 'V' given twice")),
            ("{\"__metadata__\":{},\"a\":\(a),\"__metadata__\":{}}", .badMetadata(detail: "given twice")),
            ("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,4]}}", .badEntry(tensor: "a", detail: "'shape' given twice")),
        ]
        for (json, expected) in cases {
            #expect(throws: expected, "\(json)") { try SafeTensorsFile(data: Self.withHeader(json, data: four)) }
        }
        #expect(SafeTensorsError.duplicateTensor("a").description == "tensor 'a' given twice")
        // Equal keys in different objects are fine.
        #expect(throws: Never.self) {
            try SafeTensorsFile(data: Self.withHeader("{\"__metadata__\":{\"a\":\"x\"},\"a\":\(a)}", data: four))
        }
    }

    @Test func fileBytesInMessagesAreEscaped() throws {
        let four: [UInt8] = [0, 0, 128, 63]
        let json = "{\"a\\nb\":{\"dtype\":\"\\u001b[31mF32\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        do {
            _ = try SafeTensorsFile(data: Self.withHeader(json, data: four))
            Issue.record("accepted an ESC dtype")
        } catch let e as SafeTensorsError {
            #expect(e == .unknownDType(tensor: "a\nb", dtype: "\u{1B}[31mF32"))
            #expect(e.description == "tensor 'a\\x0Ab': unknown dtype '\\x1B[31mF32'")
        }
    }

    @Test func emptyFileAndScalarsAreValid() throws {
        let empty = try SafeTensorsFile(data: Self.withHeader("{}", data: []))
        #expect(empty.entries.isEmpty)
        let scalar = try SafeTensorsFile(data: Self.withHeader("{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", data: [0, 0, 128, 63]))
        #expect(try scalar.floats("s") == [1])
        #expect(throws: SafeTensorsError.missingTensor("t")) { try scalar.floats("t") }
    }

    @Test func randomByteFlipsNeverCrash() throws {
        let data = try Self.sample()
        var rng = SafeTensorsTestRNG(seed: 1)
        for _ in 0..<3000 {
            var corrupt = data
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = Int(rng.next() % UInt64(corrupt.count))
                corrupt[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if let file = try? SafeTensorsFile(data: corrupt) {
                for name in file.tensorNames { _ = try? file.floats(name) }
            }
        }
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporaries() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("m.safetensors")
        try Data("old".utf8).write(to: url)
        var w = SafeTensorsWriter(metadata: ["x": "y"])
        try w.add("t", shape: [2], values: [1, 2])
        try w.write(to: url)
        #expect(try SafeTensorsFile(contentsOf: url).floats("t") == [1, 2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.safetensors"])
        #expect(throws: SafeTensorsError.self) { try w.write(to: dir.appendingPathComponent("no/such/dir/m.safetensors")) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(contentsOf: dir.appendingPathComponent("missing.safetensors")) }
    }
}

/// A tiny deterministic generator for test inputs.
struct SafeTensorsTestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Files written by PyTorch's safetensors (Tests/Fixtures/checkpoints, see its README).
@Suite struct SafeTensorsPyTorchFixtureTests {
    static let folder = Fixtures.url("checkpoints")

    @Test func readsPyTorchModelNamesShapesAndMetadata() throws {
        let file = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("torch_tiny.safetensors"))
        #expect(file.metadata["gate_order"] == "i,f,g,o")
        #expect(file.metadata["V"] == "20")
        #expect(file.entry("embedding.weight")?.shape == [20, 6])
        #expect(file.entry("lstm.weight_ih_l1")?.shape == [32, 8])
        #expect(file.entry("head.bias")?.shape == [20])
        #expect(file.tensorNames.count == 11)
        let embedding = try file.floats("embedding.weight")
        #expect(embedding[0] == -1.1258398294448853)  // printed by torch: float32 exact
        #expect(abs(embedding.reduce(0, +) - 3.5754750057240017) < 1e-5)
    }

    @Test func pyTorchF16FileIsTheF32FileRoundedToHalf() throws {
        let f32 = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("torch_tiny.safetensors"))
        let f16 = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("torch_tiny_f16.safetensors"))
        #expect(f16.metadata.isEmpty)
        #expect(Set(f16.tensorNames) == Set(f32.tensorNames))
        for name in f32.tensorNames {
            #expect(f16.entry(name)?.dtype == .f16)
            let rounded = try f32.floats(name).map { HalfPrecision.floatFromF16(HalfPrecision.f16FromFloat($0)) }
            #expect(try f16.floats(name) == rounded, "\(name)")
        }
    }
}
