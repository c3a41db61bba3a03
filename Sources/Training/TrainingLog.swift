// training-log.csv in the save folder: one row per training step and one per validation.
// Columns: kind (train|val), epoch (1-based), step (optimizer step), tokens_seen, loss (nats),
// learning_rate, grad_norm, seconds (since the run started). A resumed run appends.
import Foundation

final class TrainingLog {
    static let header = "kind,epoch,step,tokens_seen,loss,learning_rate,grad_norm,seconds\n"
    private let handle: FileHandle
    private var pending = ""

    init(url: URL) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: url.path) {
            guard manager.createFile(atPath: url.path, contents: Data(Self.header.utf8)) else {
                throw TrainingError.io(path: url.path, detail: "cannot create the training log")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else {
            throw TrainingError.io(path: url.path, detail: "cannot open the training log")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit {
        flush()
        try? handle.close()
    }

    func step(epoch: Int, step: Int, tokensSeen: Int, loss: Float, learningRate: Float, gradientNorm: Float, seconds: Double) {
        pending += "train,\(epoch),\(step),\(tokensSeen),\(loss),\(learningRate),\(gradientNorm),\(String(format: "%.3f", seconds))\n"
        if pending.utf8.count > 16_384 { flush() }
    }

    func validation(epoch: Int, step: Int, tokensSeen: Int, loss: Double, seconds: Double) {
        pending += "val,\(epoch),\(step),\(tokensSeen),\(loss),,,\(String(format: "%.3f", seconds))\n"
        flush()
    }

    func flush() {
        guard !pending.isEmpty else { return }
        handle.write(Data(pending.utf8))
        pending = ""
    }
}
