"""training-log.csv, the file `cadenza train` writes (Sources/Training/TrainingLog.swift)."""
import csv
import os


class TrainingLog:
    """training-log.csv with the columns of Sources/Training/TrainingLog.swift (appends on resume)."""
    HEADER = ["kind", "epoch", "step", "tokens_seen", "loss", "learning_rate", "grad_norm", "seconds"]

    def __init__(self, path):
        new = not os.path.exists(path)
        self.file = open(path, "a", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        if new:
            self.writer.writerow(self.HEADER)

    def row(self, kind, epoch, step, tokens, loss, lr, norm, seconds):
        self.writer.writerow([kind, epoch, step, tokens, loss, lr, norm, f"{seconds:.3f}"])
        if kind == "val":
            self.file.flush()

    def close(self):
        self.file.close()
