"""Held-out loss as `cadenza eval` computes it (Sources/Training/SequenceEvaluation.swift): each
sequence predicts its tokens 2..n from the ones before, from a zero state; the mean is over all
predictions. Ranks share the sequences and sum."""
import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F


def validation_nll(model, sequences, device, rank, world, batch_size=16, chunk=512):
    """Sum of NLL and number of predictions over `sequences`, each from a zero state (as `cadenza
    eval`: token t+1 from tokens 0..t); this rank takes every world-th sequence, summed over ranks."""
    total, count = torch.zeros(1, dtype=torch.float64, device=device), torch.zeros(1, dtype=torch.float64, device=device)
    mine = sorted((s for s in sequences[rank::world] if len(s) > 1), key=len, reverse=True)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for i in range(0, len(mine), batch_size):
            group = mine[i:i + batch_size]
            n = len(group[0]) - 1
            inputs = np.zeros((len(group), n), dtype=np.int64)
            targets = np.full((len(group), n), -100, dtype=np.int64)
            for b, s in enumerate(group):
                s = np.asarray(s, dtype=np.int64)
                inputs[b, :len(s) - 1], targets[b, :len(s) - 1] = s[:-1], s[1:]
            inputs, targets = torch.from_numpy(inputs).to(device), torch.from_numpy(targets).to(device)
            state = model.zero_state(len(group), device)
            for t in range(0, n, chunk):
                logits, state = model(inputs[:, t:t + chunk], state)
                y = targets[:, t:t + chunk].reshape(-1)
                losses = F.cross_entropy(logits.reshape(-1, model.V).float(), y, ignore_index=-100, reduction="none")
                total += losses.double().sum()
                count += (y >= 0).sum()
    model.train(was_training)
    if world > 1:
        dist.all_reduce(total)
        dist.all_reduce(count)
    return float(total), int(count)
