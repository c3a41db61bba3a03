// Adam with decoupled weight decay (PyTorch's AdamW when weightDecay > 0, Adam when 0) and
// gradient-norm clipping (torch.nn.utils.clip_grad_norm_), each one loop over the flat
// parameter, gradient and moment buffers, which share ParameterLayout.

public struct AdamSettings: Codable, Equatable, Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Decoupled: p -= lr·weightDecay·p before the Adam step. 0 = plain Adam.
    public var weightDecay: Float
    /// Global L2 norm the gradient is scaled down to when above it; 0 or infinity = no clipping.
    public var clipNorm: Float

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, clipNorm: Float = 1.0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }
}

enum Adam {
    /// Σ g² over count Floats, accumulated in Double in blocks (deterministic).
    static func squaredNorm(_ g: UnsafePointer<Float>, count: Int) -> Float {
        var total = 0.0
        var start = 0
        while start < count {
            let end = min(start + 4096, count)
            var s: Float = 0
            for i in start..<end { s += g[i] * g[i] }
            total += Double(s)
            start = end
        }
        return Float(total)
    }

    /// The clip_grad_norm_ factor: maxNorm / (norm + 1e-6) when that is below 1, else 1.
    static func clipScale(norm: Float, maxNorm: Float) -> Float {
        guard maxNorm > 0, maxNorm.isFinite else { return 1 }
        let scale = maxNorm / (norm + 1e-6)
        return scale < 1 ? scale : 1
    }

    /// One update at step t (1-based) with gradients scaled by gradScale:
    ///   p ← p·(1 - lr·wd)
    ///   m ← β1·m + (1-β1)·g ;  v ← β2·v + (1-β2)·g²
    ///   p ← p - lr/(1-β1^t) · m / (sqrt(v/(1-β2^t)) + ε)
    static func update(
        parameters p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
        gradients g: UnsafePointer<Float>, count: Int, step t: Int, learningRate lr: Float, gradScale: Float,
        settings s: AdamSettings
    ) {
        let b1 = s.beta1, b2 = s.beta2
        let correction1 = 1 - Float(Double(b1).power(t))
        let correction2 = 1 - Float(Double(b2).power(t))
        let stepSize = lr / correction1
        let invSqrtC2 = 1 / correction2.squareRoot()
        let decay = 1 - lr * s.weightDecay
        let eps = s.epsilon
        for i in 0..<count {
            let gi = g[i] * gradScale
            let mi = b1 * m[i] + (1 - b1) * gi
            let vi = b2 * v[i] + (1 - b2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = p[i] * decay - stepSize * mi / (vi.squareRoot() * invSqrtC2 + eps)
        }
    }
}

extension Double {
    fileprivate func power(_ n: Int) -> Double {
        var result = 1.0, base = self, e = n
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
