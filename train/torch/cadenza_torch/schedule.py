"""The learning rate by optimizer step, as Sources/NN/LearningRateSchedule.swift computes it for
`cadenza train` (linear warm-up, then cosine decay to a tenth), in float32 as there."""
import math

import numpy as np


def lr_at(step, base, warmup, total):
    """Sources/NN/LearningRateSchedule.swift, in float32 as there: warm-up, then cosine to base/10."""
    base = np.float32(base)
    if step < warmup:
        return float(base * np.float32(step + 1) / np.float32(warmup))
    after, span, minimum = step - warmup, max(1, total - warmup), base / np.float32(10)
    if after >= span:
        return float(minimum)
    return float(minimum + (base - minimum) * np.float32(0.5 * (1 + math.cos(math.pi * after / span))))
