// The add-one baselines training and the model card compare the LSTM with, on a hand-made
// corpus with known probabilities.
import Foundation
import Testing
@testable import Training

@Suite struct NGramBaselineTests {
    @Test func baselinesMatchHandComputedProbabilities() {
        // V = 3; training predicts 1,2,1,2 after 0,1,2,1 (first token of each sequence is context only).
        let b = NGramBaseline(vocabularySize: 3, training: [[0, 1, 2, 1, 2]])
        // Unigram counts of predicted tokens: c(1)=2, c(2)=2, N=4 -> p(1) = 3/7, p(2) = 3/7.
        #expect(abs(b.unigramNLL([[0, 1]]) - (-log(3.0 / 7))) < 1e-12)
        // Bigram: c(1,2)=2, c(1)=2 -> p(2|1) = 3/5; c(0,1)=1, c(0)=1 -> p(1|0) = 2/4.
        #expect(abs(b.bigramNLL([[1, 2]]) - (-log(3.0 / 5))) < 1e-12)
        #expect(abs(b.bigramNLL([[0, 1, 2]]) - (-(log(0.5) + log(0.6)) / 2)) < 1e-12)
        // An unseen pair still has add-one mass: c(2) = 1, so p(0|2) = 1/(1+3).
        #expect(abs(b.bigramNLL([[2, 0]]) - (-log(1.0 / 4))) < 1e-12)
    }
}
