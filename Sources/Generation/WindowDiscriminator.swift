// music_eval.py's discriminator: can a logistic regression on the standardised window
// features tell generated windows from human ones? 0.5 = it cannot, 1.0 = always.
// Cross-validation is grouped by piece (a piece's windows never sit in both training and
// test) with balanced class weights and balanced accuracy, as in the Python. The fold
// assignment shuffles pieces with SeededGenerator, so it cannot equal numpy's shuffle:
// expect a few hundredths of difference from the Python on small sets.
import Foundation

/// Balanced accuracy of the discriminator, averaged over folds weighted by their window
/// counts; NaN when either set is empty, 0 when no fold has both classes to train on.
/// With `shuffles` > 1 it is the mean over that many fold assignments (seeds seed, seed+1,
/// ...): with 45 pieces one assignment moves the accuracy by up to 0.1 (0.53, 0.61 and 0.67
/// for one set of 30 generated and 15 human pieces), the mean of 20 by about 0.01.
public func discriminatorAccuracy(generated: [PieceWindows], human: [PieceWindows], folds: Int = 5,
                                  seed: UInt64 = 0, shuffles: Int = 1) -> Double {
    guard !generated.isEmpty, !human.isEmpty, folds > 0 else { return .nan }
    if shuffles > 1 {
        let runs = (0..<shuffles).map { discriminatorAccuracy(generated: generated, human: human, folds: folds, seed: seed &+ UInt64($0)) }
        return NumPy.mean(runs)
    }
    // Rows, labels (1 = generated) and each row's piece, numbered human first as the
    // Python's sorted (label, piece) groups are.
    var rows: [[Double]] = [], labels: [Double] = [], groupOf: [Int] = []
    var groups = 0
    for (label, pieces) in [(0.0, human), (1.0, generated)] {
        for piece in pieces where !piece.windows.isEmpty {
            for w in piece.windows { rows.append(w.features); labels.append(label); groupOf.append(groups) }
            groups += 1
        }
    }
    var order = Array(0..<groups)
    var rng = SeededGenerator(seed: seed)
    for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
    var foldOfGroup = [Int](repeating: 0, count: groups)
    for (position, group) in order.enumerated() { foldOfGroup[group] = position % folds }

    var correct = 0.0, weight = 0.0
    for k in 0..<folds {
        let test = rows.indices.filter { foldOfGroup[groupOf[$0]] == k }
        let train = rows.indices.filter { foldOfGroup[groupOf[$0]] != k }
        guard !test.isEmpty, Set(train.map { labels[$0] }).count == 2 else { continue }
        let model = WindowLogisticModel(rows: train.map { rows[$0] }, labels: train.map { labels[$0] })
        var accuracies: [Double] = []
        for c in [0.0, 1.0] {
            let ofClass = test.filter { labels[$0] == c }
            guard !ofClass.isEmpty else { continue }
            let right = ofClass.filter { (model.probability(rows[$0]) > 0.5) == (c == 1) }.count
            accuracies.append(Double(right) / Double(ofClass.count))
        }
        correct += NumPy.mean(accuracies) * Double(test.count)
        weight += Double(test.count)
    }
    return correct / max(1, weight)
}

/// Logistic regression fitted by 2000 steps of gradient descent (rate 0.5, L2 1e-3) on
/// features standardised with the training rows' mean and standard deviation, each class
/// weighted to half the total.
struct WindowLogisticModel {
    var mean: [Double], scale: [Double], weights: [Double], bias = 0.0

    init(rows: [[Double]], labels: [Double], steps: Int = 2000, rate: Double = 0.5, l2: Double = 1e-3) {
        let n = rows.count, d = rows.first?.count ?? 0
        mean = (0..<d).map { j in NumPy.mean(rows.map { $0[j] }) }
        scale = (0..<d).map { j in NumPy.std(rows.map { $0[j] }) + 1e-9 }
        let positives = labels.filter { $0 == 1 }.count
        let classWeight = labels.map { $0 == 1 ? 0.5 / Double(max(1, positives)) : 0.5 / Double(max(1, n - positives)) }
        var a = [Double](repeating: 0, count: n * d)  // standardised rows, row-major
        for i in 0..<n { for j in 0..<d { a[i * d + j] = (rows[i][j] - mean[j]) / scale[j] } }
        var w = [Double](repeating: 0, count: d), b = 0.0
        var residual = [Double](repeating: 0, count: n)
        a.withUnsafeBufferPointer { a in
            for _ in 0..<steps {
                var biasGradient = 0.0
                for i in 0..<n {
                    var z = b
                    for j in 0..<d { z += a[i * d + j] * w[j] }
                    residual[i] = classWeight[i] * (1 / (1 + exp(-z)) - labels[i])
                    biasGradient += residual[i]
                }
                for j in 0..<d {
                    var g = 0.0
                    for i in 0..<n { g += a[i * d + j] * residual[i] }
                    w[j] -= rate * (g + l2 * w[j])
                }
                b -= rate * biasGradient
            }
        }
        weights = w
        bias = b
    }

    func probability(_ row: [Double]) -> Double {
        var z = bias
        for j in weights.indices { z += (row[j] - mean[j]) / scale[j] * weights[j] }
        return 1 / (1 + exp(-z))
    }
}
