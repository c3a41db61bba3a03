// Batches for truncated back-propagation through time. Each epoch the training files are put
// in a seeded random order, each transposed by a seeded random number of semitones (within
// ±augment and the piano range), and concatenated into one virtual stream; the stream is cut
// into B equal segments, and step s gives row b the tokens [s·T, s·T+T] of segment b
// (inputs the first T, targets the last T). Row b of step s+1 continues row b of step s, so
// the LSTM state carries over. Nothing is materialised beyond one batch: memory is bounded by
// the batch, and any (epoch, step) can be produced directly, which makes resuming exact.
import NN
import Tokenization

public struct BatchStreams: Sendable {
    public let batchSize: Int
    public let sequenceLength: Int
    /// The files of this epoch in order, and each one's transposition in semitones.
    public let order: [(file: Int, semitones: Int)]
    private let files: [[UInt16]]
    private let starts: [Int]  // token offset of each piece in the virtual stream; count + 1 entries
    private let pitchIDs: Range<Int>
    private let keyIDs: Range<Int>
    public let segmentLength: Int
    public var stepsPerEpoch: Int { segmentLength > 0 ? (segmentLength - 1) / sequenceLength : 0 }
    public var tokensPerEpoch: Int { stepsPerEpoch * sequenceLength * batchSize }

    /// - Parameters:
    ///   - pitchIDs: the vocabulary's PITCH ids, consecutive semitones (transposition shifts them).
    ///   - keyIDs: the vocabulary's 24 KEY ids (12 majors from C, then 12 minors), or empty;
    ///     a transposition turns their tonics with the pitches.
    ///   - augmentSemitones: the largest transposition either way (0 = none).
    public init(files: [[UInt16]], batchSize: Int, sequenceLength: Int, pitchIDs: Range<Int>, keyIDs: Range<Int> = 0..<0,
                augmentSemitones: Int, seed: UInt64, epoch: Int) {
        precondition(keyIDs.isEmpty || keyIDs.count == 24, "a KEY block has 24 ids")
        self.keyIDs = keyIDs
        self.files = files
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.pitchIDs = pitchIDs
        var rng = SplitMix64(seed: seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(epoch + 1)))
        var indices = Array(files.indices)
        // Fisher-Yates with our own generator (the standard library's shuffle may change between versions).
        if indices.count > 1 {
            for i in stride(from: indices.count - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                indices.swapAt(i, j)
            }
        }
        var order: [(Int, Int)] = []
        for i in indices {
            var lowest = Int.max, highest = Int.min
            for t in files[i] where pitchIDs.contains(Int(t)) {
                lowest = min(lowest, Int(t))
                highest = max(highest, Int(t))
            }
            var shift = 0
            if augmentSemitones > 0 && lowest <= highest {
                let down = max(-augmentSemitones, pitchIDs.lowerBound - lowest)
                let up = min(augmentSemitones, pitchIDs.upperBound - 1 - highest)
                shift = down + Int(rng.next() % UInt64(up - down + 1))
            } else if augmentSemitones > 0 {
                _ = rng.next()
            }
            order.append((i, shift))
        }
        self.order = order
        var starts = [0]
        for (i, _) in order { starts.append(starts.last! + files[i].count) }
        self.starts = starts
        segmentLength = batchSize > 0 ? starts.last! / batchSize : 0
    }

    /// Fills (B, T) row-major inputs and targets for step `step` (0 ..< stepsPerEpoch).
    public func fill(step: Int, inputs: inout [Int32], targets: inout [Int32]) {
        let (B, T) = (batchSize, sequenceLength)
        precondition(step >= 0 && step < stepsPerEpoch && inputs.count == B * T && targets.count == B * T)
        for b in 0..<B {
            var position = b * segmentLength + step * T
            // The piece holding `position`: the last start <= position.
            var low = 0, high = order.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if starts[mid] <= position { low = mid } else { high = mid - 1 }
            }
            var piece = low
            for t in 0...T {
                while position >= starts[piece + 1] { piece += 1 }
                let (file, shift) = order[piece]
                var id = Int(files[file][position - starts[piece]])
                if shift != 0 && pitchIDs.contains(id) { id += shift }
                else if shift != 0 && keyIDs.contains(id) {
                    id = keyIDs.lowerBound + MusicalKey.transposedIndex(id - keyIDs.lowerBound, by: shift)
                }
                if t < T { inputs[b * T + t] = Int32(id) }
                if t > 0 { targets[b * T + t - 1] = Int32(id) }
                position += 1
            }
        }
    }
}
