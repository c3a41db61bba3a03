"""Cadenza's checkpoint files, read and written from PyTorch (formats: Sources/NN/Checkpoint.swift,
CheckpointMetadata.swift, OptimizerState.swift):
  NAME.safetensors        the weights (F32, F16 or BF16 when read) and __metadata__ with format="pt",
                          cadenza_format="1", model (V, E, H, L, dropout, gate order), vocabulary,
                          hyperparameters, corpus_files, corpus_hash, tokens_seen, step, epochs,
                          validation_loss, created_by;
  NAME.optim.safetensors  Adam's moments (exp_avg.<tensor>, exp_avg_sq.<tensor>), the carried
                          BPTT state (train_state.h / .c, (L, B, H)), and in the metadata the step,
                          the RNG state and the progress map (epoch, step_in_epoch, tokens_seen, ...).
So a run of either trainer resumes in the other. Writes are atomic: a temporary file named as
Cadenza names them (.NAME.PID.RANDOM.tmp, which `cadenza train` removes when stale), then rename.
"""
import json
import os
import secrets

import torch
from safetensors import safe_open
from safetensors.torch import save as safetensors_bytes

from .model import CadenzaLSTM


class CheckpointError(Exception):
    pass


def atomic_write(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{secrets.randbits(32):x}.tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def optimizer_path(checkpoint_path):
    base, _ = os.path.splitext(checkpoint_path)
    return base + ".optim.safetensors"


def read_safetensors(path):
    try:
        with safe_open(path, framework="pt") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file")
    except Exception as e:
        raise CheckpointError(f"{path}: not a readable safetensors file: {e}")


def load_model(path):
    """The model (float32) and the metadata of a Cadenza (or PyTorch-exported) checkpoint."""
    tensors, meta = read_safetensors(path)
    try:
        V, E = tensors["embedding.weight"].shape
        H = tensors["lstm.weight_hh_l0"].shape[1]
    except (KeyError, ValueError):
        raise CheckpointError(f"{path}: not a Cadenza LSTM (needs embedding.weight [V, E] and lstm.weight_hh_l0 [4H, H])")
    L = 0
    while f"lstm.weight_ih_l{L}" in tensors:
        L += 1
    dropout = 0.0
    if "model" in meta:
        model_meta = json.loads(meta["model"])
        dropout = float(model_meta.get("dropout", 0.0))
        if model_meta.get("gate_order", "i,f,g,o") != "i,f,g,o":
            raise CheckpointError(f"{path}: gate order {model_meta['gate_order']} is not PyTorch's i,f,g,o")
    model = CadenzaLSTM(int(V), int(E), int(H), L, dropout)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    if missing:
        raise CheckpointError(f"{path}: missing tensors {missing}")
    for name, t in expected.items():
        if tuple(tensors[name].shape) != tuple(t.shape):
            raise CheckpointError(f"{path}: {name} has shape {tuple(tensors[name].shape)}, expected {tuple(t.shape)}")
        if not torch.isfinite(tensors[name].float()).all():
            raise CheckpointError(f"{path}: {name} holds NaN or infinite values")
    model.load_state_dict({k: tensors[k].float() for k in expected})
    return model, meta


def save_model(path, model, metadata):
    """Writes the weights as F32 with Cadenza's metadata (values must be strings)."""
    m = model
    meta = dict(metadata)
    meta["format"] = "pt"
    meta["cadenza_format"] = "1"
    meta["model"] = json.dumps({"E": m.E, "H": m.H, "L": m.L, "V": m.V, "dropout": m.dropout, "gate_order": "i,f,g,o"},
                               sort_keys=True, separators=(",", ":"))
    tensors = {k: v.detach().float().contiguous().cpu() for k, v in m.state_dict().items()}
    atomic_write(path, safetensors_bytes(tensors, metadata=meta))


def save_optimizer(path, model, optimizer, step, state, progress, rng_state):
    """state: (h, c) each (L, B, H), the whole global batch. progress: str -> str."""
    meta = {f"progress.{k}": str(v) for k, v in progress.items()}
    meta.update({"cadenza_optimizer": "1", "step": str(step), "rng_state": str(rng_state), "carries_state": "1"})
    tensors = {}
    for name, p in model.named_parameters():
        s = optimizer.state.get(p, {})
        tensors[f"exp_avg.{name}"] = s["exp_avg"].detach().float().contiguous().cpu() if "exp_avg" in s else torch.zeros_like(p).cpu()
        tensors[f"exp_avg_sq.{name}"] = s["exp_avg_sq"].detach().float().contiguous().cpu() if "exp_avg_sq" in s else torch.zeros_like(p).cpu()
    tensors["train_state.h"] = state[0].detach().float().contiguous().cpu()
    tensors["train_state.c"] = state[1].detach().float().contiguous().cpu()
    atomic_write(path, safetensors_bytes(tensors, metadata=meta))


def load_optimizer(path, model, optimizer, batch_size):
    """Restores Adam's moments and step into `optimizer`; returns (step, (h, c), progress)."""
    tensors, meta = read_safetensors(path)
    if meta.get("cadenza_optimizer") != "1":
        raise CheckpointError(f"{path}: not a Cadenza optimizer state file (no cadenza_optimizer metadata)")
    try:
        step = int(meta["step"])
    except (KeyError, ValueError):
        raise CheckpointError(f"{path}: the step is missing or not a count")
    state_shape = (model.L, batch_size, model.H)
    for name, p in model.named_parameters():
        for kind in ("exp_avg", "exp_avg_sq"):
            t = tensors.get(f"{kind}.{name}")
            if t is None or tuple(t.shape) != tuple(p.shape):
                raise CheckpointError(f"{path}: {kind}.{name} missing or not shaped {tuple(p.shape)}")
    for name in ("train_state.h", "train_state.c"):
        t = tensors.get(name)
        if t is None or tuple(t.shape) != state_shape:
            raise CheckpointError(f"{path}: {name} missing or not shaped {state_shape} (resume with the same --batch-size)")
    for name, p in model.named_parameters():
        optimizer.state[p] = {
            "step": torch.tensor(float(step)),
            "exp_avg": tensors[f"exp_avg.{name}"].float().to(p.device),
            "exp_avg_sq": tensors[f"exp_avg_sq.{name}"].float().to(p.device),
        }
    progress = {k[len("progress."):]: v for k, v in meta.items() if k.startswith("progress.")}
    return step, (tensors["train_state.h"].float(), tensors["train_state.c"].float()), progress


def check_pair(checkpoint_meta, checkpoint_path, optimizer_step, optimizer_tokens, optimizer_path_):
    """As Sources/Training/ResumePair.swift: the two files must be from the same step."""
    step = checkpoint_meta.get("step")
    tokens = checkpoint_meta.get("tokens_seen")
    if step is None and (tokens is None or optimizer_tokens is None):
        raise CheckpointError(f"{checkpoint_path} records no step or tokens seen, so it cannot be matched with {optimizer_path_}")
    if (step is not None and int(step) != optimizer_step) or (
            tokens is not None and optimizer_tokens is not None and int(tokens) != int(optimizer_tokens)):
        raise CheckpointError(
            f"{checkpoint_path} (step {step}, {tokens} tokens seen) and {optimizer_path_} (step {optimizer_step}, "
            f"{optimizer_tokens} tokens seen) are from different points of training; resume from a pair written together")
