// The shape of the language model: vocabulary V, embedding E, hidden H, layers L, dropout.
// Pure data (Codable for checkpoint metadata); the parameters live in LSTMModel.

public struct LSTMConfiguration: Codable, Equatable, Sendable {
    /// V: token ids are 0..<V.
    public var vocabularySize: Int
    /// E: width of the embedding, the input of the first LSTM layer.
    public var embeddingSize: Int
    /// H: width of h and c in every layer.
    public var hiddenSize: Int
    /// L: stacked LSTM layers.
    public var layers: Int
    /// Probability of zeroing an activation between layers and before the head (training only).
    public var dropout: Float

    public init(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, layers: Int, dropout: Float = 0) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.dropout = dropout
    }

    /// Input width of layer k: E for the first layer, H above it.
    public func inputSize(ofLayer k: Int) -> Int { k == 0 ? embeddingSize : hiddenSize }

    /// Forward FLOPs per token as counted by the PyTorch benchmark (multiply-add = 2):
    /// 8·H·(in+H) per layer plus 2·H·V for the head; embedding and gate math not counted.
    public var forwardFLOPsPerToken: Double {
        var flops = 2.0 * Double(hiddenSize * vocabularySize)
        for k in 0..<layers { flops += 8.0 * Double(hiddenSize * (inputSize(ofLayer: k) + hiddenSize)) }
        return flops
    }

    /// Whether the sizes make a model (all positive, dropout in [0, 1)).
    public var isValid: Bool {
        vocabularySize > 0 && embeddingSize > 0 && hiddenSize > 0 && layers > 0 && dropout >= 0 && dropout < 1
    }
}
