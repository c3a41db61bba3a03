// A checkpoint and its optimizer state must come from the same moment of training. Train
// writes last.optim.safetensors, then last.safetensors; a kill between the two renames
// leaves a new optimizer state beside an old model, and resuming from that pair would
// quietly mix two epochs. Both files record the optimizer step and the tokens seen, and a
// pair whose numbers differ is refused, naming both files.
import Foundation
import NN

enum ResumePair {
    static func check(checkpoint: CheckpointMetadata, at checkpointURL: URL,
                      optimizerStep: Int, optimizerTokensSeen: Int?, at optimizerURL: URL) throws {
        // Checkpoints written before the step was recorded still carry tokens_seen.
        guard checkpoint.step != nil || (checkpoint.tokensSeen != nil && optimizerTokensSeen != nil) else {
            throw TrainingError.incompatibleResume(detail: """
                \(checkpointURL.path) records no step or tokens seen, so it cannot be matched with \(optimizerURL.path)
                """)
        }
        let stepsAgree = checkpoint.step.map { $0 == optimizerStep } ?? true
        let tokensAgree = checkpoint.tokensSeen == nil || optimizerTokensSeen == nil || checkpoint.tokensSeen == optimizerTokensSeen
        guard stepsAgree && tokensAgree else {
            func describe(_ step: Int?, _ tokens: Int?) -> String {
                "step \(step.map(String.init) ?? "?"), \(tokens.map(String.init) ?? "?") tokens seen"
            }
            throw TrainingError.incompatibleResume(detail: """
                \(checkpointURL.path) (\(describe(checkpoint.step, checkpoint.tokensSeen))) and \
                \(optimizerURL.path) (\(describe(optimizerStep, optimizerTokensSeen))) are from different points of \
                training (was the run stopped while saving?); resume from a pair written together, or start a new run
                """)
        }
    }
}
