// Where each named tensor lives in the one contiguous Float32 parameter buffer. Gradients
// and both Adam moments use the same layout, so clipping, Adam and saving are one loop each.
// Names and shapes are PyTorch's (torch.nn.Embedding / LSTM / Linear), stored row-major.

public struct ParameterLayout: Sendable {
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        /// First element, in Floats from the start of the buffer (a multiple of 16).
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// In checkpoint order: embedding, then per layer weight_ih, weight_hh, bias_ih, bias_hh, then head.
    public let tensors: [Tensor]
    /// Floats in the buffer, including the zero padding that aligns each tensor to 64 bytes.
    public let count: Int

    // Offsets of the views the engine uses.
    let embedding: Int  // (V, E)
    let weightIH: [Int]  // per layer (4H, in)
    let weightHH: [Int]  // per layer (4H, H)
    let biasIH: [Int]  // per layer (4H)
    let biasHH: [Int]  // per layer (4H)
    let headWeight: Int  // (V, H)
    let headBias: Int  // (V)
    private let indexByName: [String: Int]

    public init(_ c: LSTMConfiguration) {
        precondition(c.isValid, "invalid LSTM configuration \(c)")
        let (V, E, H) = (c.vocabularySize, c.embeddingSize, c.hiddenSize)
        var tensors: [Tensor] = []
        var next = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let t = Tensor(name: name, shape: shape, offset: next)
            tensors.append(t)
            next += (t.count + 15) / 16 * 16
            return t.offset
        }
        embedding = add("embedding.weight", [V, E])
        var wih: [Int] = [], whh: [Int] = [], bih: [Int] = [], bhh: [Int] = []
        for k in 0..<c.layers {
            wih.append(add("lstm.weight_ih_l\(k)", [4 * H, c.inputSize(ofLayer: k)]))
            whh.append(add("lstm.weight_hh_l\(k)", [4 * H, H]))
            bih.append(add("lstm.bias_ih_l\(k)", [4 * H]))
            bhh.append(add("lstm.bias_hh_l\(k)", [4 * H]))
        }
        (weightIH, weightHH, biasIH, biasHH) = (wih, whh, bih, bhh)
        headWeight = add("head.weight", [V, H])
        headBias = add("head.bias", [V])
        self.tensors = tensors
        self.count = next
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        indexByName = index
    }

    public func tensor(named name: String) -> Tensor? {
        indexByName[name].map { tensors[$0] }
    }
}

/// A 64-byte aligned, zero-filled buffer that frees itself: Float32 for parameters, gradients,
/// Adam moments and activations (FloatBuffer), F16 bits for inference's F16 packs (HalfBuffer).
final class AlignedBuffer<Element: AdditiveArithmetic> {
    let pointer: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Element>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
        pointer.initialize(repeating: .zero, count: max(count, 1))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    func zero() { pointer.update(repeating: .zero, count: count) }

    subscript(offset: Int) -> UnsafeMutablePointer<Element> { pointer + offset }
}

typealias FloatBuffer = AlignedBuffer<Float>
typealias HalfBuffer = AlignedBuffer<UInt16>
