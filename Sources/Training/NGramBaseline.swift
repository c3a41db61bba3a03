// The baselines of the model card: a unigram and an add-one (Laplace) bigram model fitted on
// training token sequences and scored on validation sequences the way `cadenza eval` scores
// the LSTM (each sequence predicts its tokens 2...n; mean NLL per predicted token, nats).
import Foundation

public struct NGramBaseline: Sendable {
    public let vocabularySize: Int
    private var unigram: [Double]
    private var bigram: [Double]       // (V, V) counts, row = previous token
    private var bigramRow: [Double]    // (V) row sums
    private var total = 0.0

    /// Counts the predicted tokens (2...n) of every training sequence.
    public init(vocabularySize: Int, training: [[Int]]) {
        self.vocabularySize = vocabularySize
        unigram = [Double](repeating: 0, count: vocabularySize)
        bigram = [Double](repeating: 0, count: vocabularySize * vocabularySize)
        bigramRow = [Double](repeating: 0, count: vocabularySize)
        for sequence in training where sequence.count >= 2 {
            for i in 1..<sequence.count {
                let previous = sequence[i - 1], token = sequence[i]
                guard previous >= 0, previous < vocabularySize, token >= 0, token < vocabularySize else { continue }
                unigram[token] += 1
                total += 1
                bigram[previous * vocabularySize + token] += 1
                bigramRow[previous] += 1
            }
        }
    }

    /// Mean NLL per predicted token of the add-one unigram model, p(t) = (c(t)+1)/(N+V).
    public func unigramNLL(_ validation: [[Int]]) -> Double {
        let v = Double(vocabularySize)
        return meanNLL(validation) { _, token in (unigram[token] + 1) / (total + v) }
    }

    /// Mean NLL per predicted token of the add-one bigram model, p(t|s) = (c(s,t)+1)/(c(s)+V).
    public func bigramNLL(_ validation: [[Int]]) -> Double {
        let v = Double(vocabularySize)
        return meanNLL(validation) { previous, token in
            (bigram[previous * vocabularySize + token] + 1) / (bigramRow[previous] + v)
        }
    }

    private func meanNLL(_ sequences: [[Int]], _ probability: (Int, Int) -> Double) -> Double {
        var sum = 0.0, count = 0
        for sequence in sequences where sequence.count >= 2 {
            for i in 1..<sequence.count {
                let previous = sequence[i - 1], token = sequence[i]
                guard previous >= 0, previous < vocabularySize, token >= 0, token < vocabularySize else { continue }
                sum -= log(probability(previous, token))
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : .nan
    }
}
