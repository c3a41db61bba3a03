// Variable-length quantities at every width boundary (1 to 4 bytes), the examples of
// the SMF specification, and the two ways decoding fails.
import Testing
@testable import MIDI

@Suite struct VariableLengthQuantityTests {
    /// (value, encoding) pairs from the SMF 1.0 specification, incl. each width's bounds.
    static let examples: [(Int, [UInt8])] = [
        (0x00, [0x00]),
        (0x40, [0x40]),
        (0x7F, [0x7F]),
        (0x80, [0x81, 0x00]),
        (0x2000, [0xC0, 0x00]),
        (0x3FFF, [0xFF, 0x7F]),
        (0x4000, [0x81, 0x80, 0x00]),
        (0x10_0000, [0xC0, 0x80, 0x00]),
        (0x1F_FFFF, [0xFF, 0xFF, 0x7F]),
        (0x20_0000, [0x81, 0x80, 0x80, 0x00]),
        (0x800_0000, [0xC0, 0x80, 0x80, 0x00]),
        (0xFFF_FFFF, [0xFF, 0xFF, 0xFF, 0x7F]),
    ]

    @Test(arguments: examples.indices)
    func encodesAndDecodesSpecificationExamples(index: Int) throws {
        let (value, encoding) = Self.examples[index]
        #expect(VariableLengthQuantity.encode(value) == encoding)
        #expect(VariableLengthQuantity.encodedCount(value) == encoding.count)
        let decoded = try VariableLengthQuantity.decode(encoding).get()
        #expect(decoded.value == value)
        #expect(decoded.count == encoding.count)
    }

    @Test func roundTripsEveryWidthBoundaryAndItsNeighbours() throws {
        for bits in [7, 14, 21, 28] {
            let boundary = 1 << bits
            for value in [boundary - 2, boundary - 1, boundary, boundary + 1] where value <= VariableLengthQuantity.maximum {
                let encoded = VariableLengthQuantity.encode(value)
                #expect(encoded.count == (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : 4))
                #expect(encoded.dropLast().allSatisfy { $0 & 0x80 != 0 })
                #expect(encoded.last! & 0x80 == 0)
                #expect(try VariableLengthQuantity.decode(encoded).get().value == value)
            }
        }
    }

    @Test func decodingStopsAtTheLastByteAndIgnoresWhatFollows() throws {
        let decoded = try VariableLengthQuantity.decode([0x81, 0x00, 0x90, 0x3C]).get()
        #expect(decoded.value == 0x80 && decoded.count == 2)
    }

    @Test func truncatedAndOverlongQuantitiesFail() {
        #expect(throws: VariableLengthQuantity.DecodeFailure.truncated) { try VariableLengthQuantity.decode([]).get() }
        #expect(throws: VariableLengthQuantity.DecodeFailure.truncated) { try VariableLengthQuantity.decode([0x81, 0x80]).get() }
        #expect(throws: VariableLengthQuantity.DecodeFailure.tooLong) { try VariableLengthQuantity.decode([0x80, 0x80, 0x80, 0x80, 0x00]).get() }
        #expect(throws: VariableLengthQuantity.DecodeFailure.tooLong) { try VariableLengthQuantity.decode([0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).get() }
    }
}
