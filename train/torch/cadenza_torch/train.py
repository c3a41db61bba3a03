"""Trains Cadenza's LSTM on exported token shards with DistributedDataParallel.

  torchrun --standalone --nproc_per_node=N -m cadenza_torch.train --shards OUT_DIR --save-dir RUN_DIR
           [--epochs] [--max-steps] [--batch-size] [--seq-len] [--embedding] [--hidden] [--layers]
           [--dropout] [--lr] [--backend gloo|nccl] [--resume last.safetensors | --finetune X.safetensors]

The same run as `cadenza train` (Sources/Training/TrainingRun.swift): the batches of
BatchStreams (streams.py), the carried state per row, the loss (mean next-token cross-entropy),
Adam(W) with clipping, warm-up then cosine decay to a tenth, validation per epoch as `cadenza
eval` computes it, last/best checkpoints with Cadenza's metadata. --batch-size is the global
batch: its B rows are dealt to the ranks in equal contiguous blocks (rank r owns rows
r*B/W ... (r+1)*B/W - 1 and their carried state), DDP averages the gradients, so W ranks take
the same steps as one rank with the same B. Rank 0 writes the files. Also runs without torchrun
(one process).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import __version__
from .checkpoint import (CheckpointError, check_pair, load_model, load_optimizer, optimizer_path, save_model,
                         save_optimizer)
from .evaluation import validation_nll
from .log import TrainingLog
from .model import CadenzaLSTM
from .schedule import lr_at
from .shards import Export, ShardError
from .streams import BatchStreams, Corpus

DEFAULTS = dict(epochs=100, batch_size=64, seq_len=128, embedding=256, hidden=512, layers=2, dropout=0.2, lr=1e-3,
                weight_decay=0.0, clip=1.0, augment_transpose=3, seed=1, warmup=None)
# Hyper-parameters a checkpoint records (as `cadenza train` names them) and the option each sets.
HYPER = dict(epochs=int, batch_size=int, seq_len=int, embedding=int, hidden=int, layers=int, dropout=float, lr=float,
             weight_decay=float, clip=float, augment_transpose=int, seed=int)


class UsageError(Exception):
    pass


def parse_args(argv):
    p = argparse.ArgumentParser(prog="cadenza_torch.train", description=__doc__.split("\n\n")[0])
    def option(name, **kw):
        p.add_argument(f"--{name}", f"--{name.replace('-', '_')}", **kw) if "-" in name else p.add_argument(f"--{name}", **kw)
    option("shards", required=True, metavar="OUT_DIR", help="folder of `cadenza tokenize --export` (with manifest.json)")
    option("save-dir", default="checkpoints", metavar="RUN_DIR", help="where last/best.safetensors and the log go")
    option("epochs", type=int, help="passes over the training files (default 100; a resumed run keeps its own)")
    option("max-steps", type=int, help="stop after this many optimizer steps in this run (the schedule still spans --epochs)")
    option("batch-size", type=int, help="global batch: token streams per step, over all ranks (default 64)")
    option("seq-len", type=int, help="time steps per step, truncated BPTT with state carried (default 128)")
    option("embedding", type=int, help="embedding width E (default 256)")
    option("hidden", type=int, help="LSTM width H (default 512)")
    option("layers", type=int, help="LSTM layers L (default 2)")
    option("dropout", type=float, help="dropout between layers and before the head (default 0.2)")
    option("lr", type=float, help="Adam learning rate (default 1e-3; warm-up, then cosine to a tenth)")
    option("weight-decay", type=float, help="decoupled weight decay, AdamW (default 0)")
    option("clip", type=float, help="gradient-norm clipping, 0 = off (default 1.0)")
    option("warmup", type=int, help="warm-up steps (default 2%% of the run, at most 500)")
    option("augment-transpose", type=int, help="transpose each file by up to +-K semitones per epoch (default 3)")
    option("seed", type=int, help="seed for initialisation, order, augmentation and dropout (default 1)")
    option("backend", choices=["gloo", "nccl"], help="process-group backend (default nccl with CUDA, else gloo)")
    option("device", choices=["cpu", "cuda"], help="default cuda when available")
    option("threads", type=int, help="CPU threads per rank (default: cores / ranks on this node)")
    option("resume", metavar="FILE", help="continue a run from its last.safetensors (Cadenza's or this trainer's; needs last.optim.safetensors)")
    option("finetune", metavar="FILE", help="start from these weights with a fresh optimizer and schedule")
    option("log-every", type=int, default=0, help="print a progress line every N steps (default: 10 per epoch)")
    a = p.parse_args(argv)
    if a.resume and a.finetune:
        p.error("give --resume or --finetune, not both")
    return a


class Run:
    def __init__(self, args):
        self.args = args
        self.distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
        self.rank = int(os.environ.get("RANK", 0))
        self.world = int(os.environ.get("WORLD_SIZE", 1))
        self.local_rank = int(os.environ.get("LOCAL_RANK", 0))
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", 1))
        use_cuda = args.device == "cuda" or (args.device is None and torch.cuda.is_available())
        if args.device == "cuda" and not torch.cuda.is_available():
            raise UsageError("--device cuda: no CUDA device (this torch build or machine has none)")
        self.device = torch.device(f"cuda:{self.local_rank}" if use_cuda else "cpu")
        if use_cuda:
            torch.cuda.set_device(self.device)
        torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // local_world))
        if self.distributed:
            backend = args.backend or ("nccl" if use_cuda else "gloo")
            if backend == "nccl" and not use_cuda:
                raise UsageError("--backend nccl needs CUDA devices; use --backend gloo on CPUs")
            dist.init_process_group(backend=backend)

    def say(self, text):
        if self.rank == 0:
            print(text, flush=True)

    def main(self):
        a = self.args
        export = Export(a.shards)
        options = dict(DEFAULTS)
        given = {k for k in DEFAULTS if getattr(a, k, None) is not None}
        for k in given:
            options[k] = getattr(a, k)
        checkpoint_meta, model = {}, None
        source = a.resume or a.finetune
        if source:
            model, checkpoint_meta = load_model(source)
            if checkpoint_meta.get("vocabulary") != export.vocabulary_json:
                raise UsageError(f"{source}: its vocabulary is not the export's ({a.shards}); export with the same --styles "
                                 "(and the tokenizer of the Cadenza that trained it)")
            options.update(embedding=model.E, hidden=model.H, layers=model.L)
        if a.resume:
            # As `cadenza train --resume`: the run's hyper-parameters come from the checkpoint.
            stored = json_object(checkpoint_meta.get("hyperparameters", "{}"))
            for key, kind in HYPER.items():
                if key in stored and not (key == "epochs" and "epochs" in given):
                    value = kind(float(stored[key])) if kind is int else kind(stored[key])
                    if key in given and getattr(a, key) != value:
                        self.say(f"warning: --{key.replace('_', '-')} {getattr(a, key)} ignored: the resumed run has {value}")
                    options[key] = value
            w = stored.get("warmup", "auto")
            options["warmup"] = None if w == "auto" else int(w)
            if stored.get("val_split") not in (None, repr_float(export.validation_fraction)) and \
                    float(stored["val_split"]) != export.validation_fraction:
                self.say(f"warning: the run held out --val-split {stored['val_split']}, the export {export.validation_fraction}")
        check_options(options)
        B, T, W = options["batch_size"], options["seq_len"], self.world
        if B % W:
            raise UsageError(f"--batch-size {B} must be a multiple of the {W} ranks (each takes B/W rows)")
        if export.corpus_hash != checkpoint_meta.get("corpus_hash", export.corpus_hash):
            self.say("warning: the corpus differs from the one the checkpoint saw")

        train_files = export.split("train")
        validation = [t.copy() for t in export.split("validation")]
        corpus = Corpus(train_files, export.pitch_ids, export.key_ids)  # one copy: 2 bytes a training token
        train_file_count = len(train_files)
        del train_files
        export.release()
        streams = lambda epoch: BatchStreams(corpus, B, T, options["augment_transpose"], options["seed"], epoch)
        steps_per_epoch = streams(0).steps_per_epoch
        if steps_per_epoch < 1:
            raise UsageError(f"{corpus.tokens.size} training tokens do not fill one batch of {B} rows x {T + 1} tokens; "
                             "lower --batch-size or --seq-len")
        total_steps = steps_per_epoch * options["epochs"]
        warmup = options["warmup"] if options["warmup"] is not None else min(500, total_steps // 50)

        torch.manual_seed(options["seed"])
        if model is None:
            model = CadenzaLSTM(export.vocabulary_size, options["embedding"], options["hidden"], options["layers"],
                                options["dropout"])
        else:
            model.dropout = float(options["dropout"])
            model.drop.p = model.dropout
            model.lstm.dropout = model.dropout if model.L > 1 else 0.0
        if model.V != export.vocabulary_size:
            raise UsageError(f"the model has {model.V} tokens, the export's vocabulary {export.vocabulary_size}")
        model.to(self.device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=options["lr"], betas=(0.9, 0.999), eps=1e-8,
                                      weight_decay=options["weight_decay"], foreach=False)
        rows = slice(self.rank * (B // W), (self.rank + 1) * (B // W))
        epoch, step_in_epoch, tokens_seen, step, best = 0, 0, 0, 0, None
        state = model.zero_state(B // W, self.device)
        if a.resume:
            opt_path = optimizer_path(a.resume)
            step, full_state, progress = load_optimizer(opt_path, model, optimizer, B)
            check_pair(checkpoint_meta, a.resume, step, progress.get("tokens_seen"), opt_path)
            epoch, step_in_epoch = int(progress.get("epoch", 0)), int(progress.get("step_in_epoch", 0))
            tokens_seen = int(progress.get("tokens_seen", 0))
            best = float(progress["best_validation_loss"]) if progress.get("best_validation_loss") else None
            state = tuple(s[:, rows].contiguous().to(self.device) for s in full_state)
            if step_in_epoch >= steps_per_epoch:
                epoch, step_in_epoch = epoch + 1, 0
            self.say(f"resumed from {a.resume} at epoch {epoch + 1}, step {step_in_epoch} (optimizer step {step})")
        # Dropout masks: a stream of its own for each rank, and a new one after a resume.
        torch.manual_seed(options["seed"] * 1_000_003 + self.rank * 7919 + step)
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[self.device.index] if self.device.type == "cuda" else None) \
            if self.distributed else model
        params = sum(p.numel() for p in model.parameters())
        self.say(f"corpus: {train_file_count} training files ({corpus.tokens.size} tokens), {len(validation)} validation files; "
                 f"{W} rank{'s' if W > 1 else ''} of {B // W} rows on {self.device.type}")
        self.say(f"model: V={model.V} E={model.E} H={model.H} L={model.L}, {params} parameters; "
                 f"{steps_per_epoch} steps per epoch, {total_steps} in all")

        save_dir = a.save_dir
        if self.rank == 0:
            os.makedirs(save_dir, exist_ok=True)
        log = TrainingLog(os.path.join(save_dir, "training-log.csv")) if self.rank == 0 else None
        hyper = {k: str(v) for k, v in options.items() if k in HYPER}
        hyper.update(val_split=repr_float(export.validation_fraction), warmup="auto" if options["warmup"] is None else str(warmup),
                     styles="1" if json_object(export.vocabulary_json).get("styles") else "0",
                     trainer=f"cadenza_torch {__version__}", world_size=str(W))

        def metadata(validation_loss):
            m = {"vocabulary": export.vocabulary_json, "hyperparameters": json_dumps(hyper),
                 "corpus_files": str(export.corpus_files), "corpus_hash": export.corpus_hash,
                 "tokens_seen": str(tokens_seen), "step": str(step),
                 "epochs": repr_float(epoch + step_in_epoch / steps_per_epoch),
                 "created_by": f"cadenza_torch {__version__} (torch {torch.__version__}, {W} x {self.device.type})"}
            if validation_loss is not None:
                m["validation_loss"] = repr(validation_loss)
            return m

        def save(validation_loss, is_best):
            # Every rank hands its rows' state to rank 0, which writes the whole (L, B, H).
            if self.distributed:
                parts = [[torch.empty_like(s) for _ in range(W)] for s in state]
                for s, gathered in zip(state, parts):
                    dist.all_gather(gathered, s.contiguous())
                full = tuple(torch.cat(g, dim=1) for g in parts)
            else:
                full = state
            if self.rank == 0:
                last = os.path.join(save_dir, "last.safetensors")
                save_optimizer(optimizer_path(last), model, optimizer, step, full, {
                    "epoch": epoch, "step_in_epoch": step_in_epoch, "tokens_seen": tokens_seen,
                    "best_validation_loss": "" if best is None else repr(best), "corpus_hash": export.corpus_hash,
                }, rng_state=options["seed"])
                save_model(last, model, metadata(validation_loss))
                self.say(f"saved {last}")
                if is_best:
                    path = os.path.join(save_dir, "best.safetensors")
                    save_model(path, model, metadata(validation_loss))
                    self.say(f"saved {path}")
            if self.distributed:
                dist.barrier()

        def validate():
            nonlocal best
            if not validation:
                return None, False
            total, count = validation_nll(model, validation, self.device, self.rank, W)
            if not count:
                return None, False
            loss = total / count
            is_best = loss is not None and math.isfinite(loss) and (best is None or loss < best)
            if is_best:
                best = loss
            if log:
                log.row("val", epoch if step_in_epoch == 0 else epoch + 1, step, tokens_seen, repr(loss), "", "", time.time() - started)
            where = f"epoch {epoch}" if step_in_epoch == 0 else f"epoch {epoch + 1}, step {step_in_epoch}"
            self.say(f"{where}: validation loss {loss:.6f} (perplexity {math.exp(loss):.3f})"
                     f"{' best so far' if is_best else ''}")
            return loss, is_best

        started = time.time()
        exploded = 20 * math.log(max(2, model.V))
        steps_this_run, rate_start, rate_steps, step_seconds = 0, time.time(), 0, 0.0
        every = a.log_every or max(1, steps_per_epoch // 10)
        stop = False
        while epoch < options["epochs"] and not stop:
            plan = streams(epoch)
            if step_in_epoch == 0:
                state = model.zero_state(B // W, self.device)
            global_rows = np.arange(rows.start, rows.stop)
            while step_in_epoch < steps_per_epoch:
                step_start = time.time()
                ids = torch.from_numpy(plan.rows(step_in_epoch, global_rows)).to(self.device)
                lr = lr_at(step, options["lr"], warmup, total_steps)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                logits, new_state = net(ids[:, :T], state)
                loss = F.cross_entropy(logits.reshape(-1, model.V), ids[:, 1:].reshape(-1))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), options["clip"] if options["clip"] > 0 else float("inf"))
                optimizer.step()
                state = tuple(s.detach() for s in new_state)
                mean_loss = loss.detach().clone()
                if self.distributed:
                    dist.all_reduce(mean_loss)
                    mean_loss /= W
                mean_loss, norm = float(mean_loss), float(norm)
                if not math.isfinite(mean_loss) or not math.isfinite(norm) or mean_loss > exploded:
                    raise Diverged(f"the loss became {mean_loss} at epoch {epoch + 1}, step {step_in_epoch + 1}; "
                                   "try a lower --lr or --clip")
                step += 1
                step_in_epoch += 1
                steps_this_run += 1
                step_seconds += time.time() - step_start
                rate_steps += 1
                tokens_seen += B * T
                if log:
                    log.row("train", epoch + 1, step, tokens_seen, repr(mean_loss), repr(lr), repr(norm), time.time() - started)
                if step_in_epoch % every == 0 or step_in_epoch == steps_per_epoch or steps_this_run == 1:
                    now = time.time()
                    rate = rate_steps * B * T / max(now - rate_start, 1e-9)
                    rate_start, rate_steps = now, 0
                    self.say(f"epoch {epoch + 1}/{options['epochs']}  step {step_in_epoch}/{steps_per_epoch}  "
                             f"loss {mean_loss:.4f}  {rate:.0f} tok/s  lr {lr:.2e}")
                if a.max_steps is not None and steps_this_run >= a.max_steps:
                    stop = True
                    break
            if stop and step_in_epoch < steps_per_epoch:
                loss, is_best = validate()
                save(loss, is_best)
                break
            epoch, step_in_epoch = epoch + 1, 0
            loss, is_best = validate()
            save(loss, is_best or (not validation and epoch == options["epochs"]))
        # Speed over the training steps only (not validation and saving).
        per_second = steps_this_run / max(step_seconds, 1e-9)
        self.say(f"{'stopped after --max-steps' if stop else 'finished'}: {step} steps, {tokens_seen} tokens in "
                 f"{time.time() - started:.1f} s; training {per_second:.3f} steps/s, {per_second * B * T:.0f} tokens/s"
                 + (f", best validation loss {best:.6f}" if best is not None else ""))
        if log:
            log.close()
        if self.distributed:
            dist.destroy_process_group()


class Diverged(Exception):
    pass


def check_options(o):
    checks = [
        (1 <= o["epochs"] <= 100_000, "--epochs must be between 1 and 100000"),
        (1 <= o["batch_size"] <= 1 << 20, "--batch-size must be between 1 and 1048576"),
        (1 <= o["seq_len"] <= 16384, "--seq-len must be between 1 and 16384"),
        (1 <= o["embedding"] <= 16384 and 1 <= o["hidden"] <= 16384, "--embedding and --hidden must be between 1 and 16384"),
        (1 <= o["layers"] <= 16, "--layers must be between 1 and 16"),
        (0 <= o["dropout"] < 1, "--dropout must be in [0, 1)"),
        (o["lr"] > 0 and math.isfinite(o["lr"]), "--lr must be positive"),
        (o["weight_decay"] >= 0, "--weight-decay must be 0 or positive"),
        (o["clip"] >= 0, "--clip must be 0 (off) or positive"),
        (0 <= o["augment_transpose"] <= 12, "--augment-transpose must be between 0 and 12"),
        (o["seed"] >= 0, "--seed must be 0 or positive"),
        (o["warmup"] is None or o["warmup"] >= 0, "--warmup must be 0 or positive"),
    ]
    for ok, message in checks:
        if not ok:
            raise UsageError(message)


def json_object(text):
    import json
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def json_dumps(value):
    import json
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def repr_float(x):
    return repr(float(x))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.max_steps is not None and args.max_steps < 1:
        print("cadenza_torch.train: --max-steps must be positive", file=sys.stderr)
        return 2
    try:
        Run(args).main()
    except UsageError as e:
        print(f"cadenza_torch.train: {e}", file=sys.stderr)
        return 2
    except (ShardError, CheckpointError, Diverged, OSError) as e:
        print(f"cadenza_torch.train: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
