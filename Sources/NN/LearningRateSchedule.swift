// The learning rate as a function of the optimizer step: linear warm-up, then cosine decay
// to a floor, or step decay (multiply by a factor every N steps), or constant.
import Foundation

public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Decay: Codable, Equatable, Sendable {
        case constant
        /// Cosine from the base rate down to minimum over totalSteps (after warm-up), then minimum.
        case cosine(totalSteps: Int, minimum: Float)
        /// Multiplied by factor every `every` steps after warm-up.
        case step(every: Int, factor: Float)
    }

    public var baseRate: Float
    public var warmupSteps: Int
    public var decay: Decay

    public init(baseRate: Float, warmupSteps: Int = 0, decay: Decay = .constant) {
        self.baseRate = baseRate
        self.warmupSteps = warmupSteps
        self.decay = decay
    }

    /// The rate for 0-based step `step`.
    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return baseRate * Float(step + 1) / Float(warmupSteps) }
        let after = step - warmupSteps
        switch decay {
        case .constant:
            return baseRate
        case .cosine(let total, let minimum):
            guard total > 0, after < total else { return total > 0 ? minimum : baseRate }
            let progress = Double(after) / Double(total)
            return minimum + (baseRate - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
        case .step(let every, let factor):
            guard every > 0 else { return baseRate }
            var rate = baseRate
            for _ in 0..<(after / every) { rate *= factor }
            return rate
        }
    }
}
