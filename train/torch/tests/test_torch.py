"""The PyTorch trainer against Cadenza itself, on the eight fixture MIDI files (Tests/Fixtures):
  - shards: parts 0/2 and 1/2, merged, hold exactly the files, splits and tokens of one export;
  - DDP: 2 gloo ranks take the same steps as 1 rank with the same global batch (loss at each of
    the first 10 steps within 1e-4 relative, and the same final weights);
  - the result plays: `cadenza eval` on the DDP checkpoint gives the trainer's validation NLL
    (1e-4 relative), from the exported tokens and from the held-out MIDI files, `cadenza stats`
    too, and `cadenza generate` writes a piece from it that `cadenza info` reads;
  - and back: `cadenza train --resume` continues the DDP run mid-epoch (carried state and all)
    with the losses the trainer's own resume gives;
  - the other way: a `cadenza train` checkpoint resumed by the trainer goes on with the losses
    `cadenza train --resume` itself gives, step by step (same batches, transpositions, schedule
    and Adam state: within 1e-4 relative), to the same validation loss.
Run by scripts/test-torch.sh (make test-torch): CADENZA_BIN names the release binary.
"""
import csv
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import torch
from safetensors.torch import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
FIXTURES = os.path.normpath(os.path.join(PACKAGE, "..", "..", "Tests", "Fixtures"))
BIN = os.environ.get("CADENZA_BIN", "")
sys.path.insert(0, PACKAGE)
from cadenza_torch.shards import Export  # noqa: E402

MODEL = ["--batch-size", "4", "--seq-len", "32", "--embedding", "16", "--hidden", "32", "--layers", "2", "--dropout", "0"]
WORK = None


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def cadenza(*args):
    return run([BIN, *args])


def torchrun(ranks, *args):
    env = dict(os.environ, PYTHONPATH=PACKAGE, OMP_NUM_THREADS="1")
    launcher = os.path.join(os.path.dirname(sys.executable), "torchrun")
    return run([launcher, "--standalone", f"--nproc_per_node={ranks}", "-m", "cadenza_torch.train", *args], env=env)


def log_rows(run_dir, kind):
    with open(os.path.join(run_dir, "training-log.csv")) as f:
        return [(int(r["epoch"]), int(r["step"]), float(r["loss"])) for r in csv.DictReader(f) if r["kind"] == kind]


def train_losses(run_dir):
    return log_rows(run_dir, "train")


def setUpModule():
    global WORK
    if not BIN or not os.access(BIN, os.X_OK):
        raise unittest.SkipTest("set CADENZA_BIN to the cadenza binary")
    WORK = tempfile.mkdtemp(prefix="cadenza-torch-")
    corpus = os.path.join(WORK, "corpus")
    os.makedirs(corpus)
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.mid"))):
        shutil.copy(path, corpus)
    with open(os.path.join(corpus, "broken.mid"), "wb") as f:
        f.write(b"MThd but not MIDI")
    cadenza("tokenize", "--export", os.path.join(WORK, "shards"), corpus, "--val-split", "0.3")


def tearDownModule():
    if WORK:
        shutil.rmtree(WORK, ignore_errors=True)


class ShardTests(unittest.TestCase):
    def test_parts_merged_equal_one_export(self):
        parts = os.path.join(WORK, "parts")
        corpus = os.path.join(WORK, "corpus")
        for i in (0, 1):
            out = cadenza("tokenize", "--export", parts, corpus, "--val-split", "0.3", "--shard", f"{i}/2")
            self.assertIn(f"part {i}/2", out)
        self.assertFalse(os.path.exists(os.path.join(parts, "manifest.json")))
        cadenza("tokenize", "--merge", parts)
        whole, joined = Export(os.path.join(WORK, "shards")), Export(parts)
        key = lambda e: (e["path"], e["hash"], e["tokens"], e["split"])
        self.assertEqual([key(e) for e in joined.entries], [key(e) for e in whole.entries])
        self.assertEqual(len(whole.entries), 8)
        self.assertEqual(whole.manifest["skipped_files"], 1)
        self.assertEqual(joined.manifest["skipped_files"], 1)
        self.assertEqual(joined.corpus_hash, whole.corpus_hash)
        self.assertEqual(joined.vocabulary_json, whole.vocabulary_json)
        self.assertEqual({e["shard"] for e in joined.entries}, {0, 1})
        for a, b in zip(whole.entries, joined.entries):
            self.assertTrue(np.array_equal(whole.tokens_of(a), joined.tokens_of(b)), a["path"])


class DDPTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        args = ["--shards", os.path.join(WORK, "shards"), "--epochs", "4", "--max-steps", "10", *MODEL,
                "--lr", "3e-3", "--seed", "5", "--threads", "1", "--backend", "gloo"]
        cls.one = os.path.join(WORK, "ddp1")
        cls.two = os.path.join(WORK, "ddp2")
        # The Python scripts' spellings (--batch_size, --save_dir) for one of the two runs.
        cls.log_one = torchrun(1, *[x.replace("batch-size", "batch_size") for x in args], "--save_dir", cls.one)
        cls.log_two = torchrun(2, *args, "--save-dir", cls.two)

    def test_two_ranks_take_the_steps_of_one(self):
        one, two = train_losses(self.one), train_losses(self.two)
        self.assertEqual(len(one), 10)
        self.assertEqual([s for _, s, _ in one], [s for _, s, _ in two])
        for (_, step, a), (_, _, b) in zip(one, two):
            self.assertLessEqual(abs(a - b) / abs(a), 1e-4, f"step {step}: 1 rank {a}, 2 ranks {b}")
        self.assertLess(one[-1][2], one[0][2], "the loss went down")
        w1, w2 = load_file(os.path.join(self.one, "last.safetensors")), load_file(os.path.join(self.two, "last.safetensors"))
        self.assertEqual(sorted(w1), sorted(w2))
        for name in w1:
            diff = (w1[name] - w2[name]).abs().max().item()
            self.assertLessEqual(diff, 1e-5 * max(1.0, w1[name].abs().max().item()), f"{name}: max difference {diff}")
        self.assertIn("2 ranks of 2 rows", self.log_two)

    def test_checkpoint_loads_in_cadenza_and_gives_the_trainers_loss(self):
        checkpoint = os.path.join(self.two, "last.safetensors")
        with open(checkpoint, "rb") as f:
            header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
        meta = header["__metadata__"]
        trainer_nll = float(meta["validation_loss"])
        self.assertEqual(meta["step"], "10")
        self.assertEqual(meta["tokens_seen"], str(10 * 4 * 32))
        export = Export(os.path.join(WORK, "shards"))
        self.assertEqual(meta["corpus_hash"], export.corpus_hash)
        tokens = os.path.join(WORK, "validation.json")
        with open(tokens, "w") as f:
            json.dump([t.tolist() for t in export.split("validation")], f)
        ours = json.loads(cadenza("eval", "--checkpoint", checkpoint, "--tokens", tokens, "--json"))
        self.assertLessEqual(abs(ours["mean_nll"] - trainer_nll) / trainer_nll, 1e-4, f"cadenza {ours['mean_nll']}, trainer {trainer_nll}")
        self.assertEqual(ours["num_predictions"], sum(e["tokens"] - 1 for e in export.entries if e["split"] == "validation"))
        # The validation files themselves, tokenized by cadenza with the checkpoint's vocabulary.
        held = os.path.join(WORK, "held-out")
        os.makedirs(held, exist_ok=True)
        for e in export.entries:
            if e["split"] == "validation":
                shutil.copy(os.path.join(WORK, "corpus", e["path"]), held)
        from_midi = json.loads(cadenza("eval", "--checkpoint", checkpoint, "--data", held, "--json"))
        self.assertAlmostEqual(from_midi["mean_nll"], ours["mean_nll"], places=9)
        piece = os.path.join(WORK, "piece.mid")
        cadenza("generate", "--checkpoint", checkpoint, "--output", piece, "--bars", "4", "--seed", "3")
        info = json.loads(cadenza("info", "--json", piece))
        info = info[0] if isinstance(info, list) else info
        self.assertGreater(json.dumps(info).count("note"), 0)
        # stats splits the MIDI corpus as train does: the same validation files, the same NLL.
        stats = json.loads(cadenza("stats", "--checkpoint", checkpoint, "--data", os.path.join(WORK, "corpus"), "--pieces", "2",
                                   "--bars", "4", "--regen-pieces", "0", "--eval-pieces", "0", "--json"))
        self.assertLessEqual(abs(stats["nll"]["lstm"] - trainer_nll) / trainer_nll, 1e-4)
        self.assertEqual(stats["training_tokens"], export.manifest["training_tokens"])
        self.assertIn("cadenza_torch", meta["created_by"])

    def test_cadenza_train_resumes_the_ddp_checkpoint_as_the_trainer_does(self):
        # Stopped by --max-steps mid-epoch: the carried state of both ranks is in the .optim file.
        by_cadenza, by_torch = os.path.join(WORK, "back-cadenza"), os.path.join(WORK, "back-torch")
        shutil.copytree(self.two, by_cadenza)
        shutil.copytree(self.two, by_torch)
        cadenza("train", "--data", os.path.join(WORK, "corpus"), "--resume", os.path.join(by_cadenza, "last.safetensors"),
                "--epochs", "2", "--threads", "1", "--save-dir", by_cadenza)
        torchrun(1, "--shards", os.path.join(WORK, "shards"), "--resume", os.path.join(by_torch, "last.safetensors"),
                 "--epochs", "2", "--threads", "1", "--save-dir", by_torch)
        a, b = train_losses(by_cadenza)[10:], train_losses(by_torch)[10:]
        self.assertEqual(a[0][1], 11)
        self.assertEqual([s for _, s, _ in a], [s for _, s, _ in b])
        for (_, step, x), (_, _, y) in zip(a, b):
            self.assertLessEqual(abs(x - y) / x, 1e-4, f"step {step}: cadenza {x}, trainer {y}")


class ErrorTests(unittest.TestCase):
    def trainer(self, *args):
        env = dict(os.environ, PYTHONPATH=PACKAGE)
        return subprocess.run([sys.executable, "-m", "cadenza_torch.train", *args], capture_output=True, text=True, env=env)

    def test_usage_errors_exit_2_and_failures_1_with_a_message(self):
        save = os.path.join(WORK, "errors")
        p = self.trainer("--shards", os.path.join(WORK, "nowhere"), "--save-dir", save)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cadenza tokenize --export", p.stderr)
        parts = os.path.join(WORK, "unmerged")
        cadenza("tokenize", "--export", parts, os.path.join(WORK, "corpus"), "--shard", "0/2")
        p = self.trainer("--shards", parts, "--save-dir", save)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--merge", p.stderr)
        p = self.trainer("--shards", os.path.join(WORK, "shards"), "--save-dir", save, "--batch-size", "0")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--batch-size", p.stderr)
        p = self.trainer("--shards", os.path.join(WORK, "shards"), "--save-dir", save, "--resume", os.path.join(WORK, "nowhere.safetensors"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("no such file", p.stderr)
        self.assertNotIn("Traceback", p.stderr)


class ResumeTests(unittest.TestCase):
    def test_cadenza_checkpoint_resumes_in_the_trainer_as_in_cadenza(self):
        corpus = os.path.join(WORK, "corpus")
        swift, torch_run = os.path.join(WORK, "swift-run"), os.path.join(WORK, "torch-run")
        common = ["--data", corpus, "--batch-size", "4", "--seq-len", "32", "--threads", "1"]
        cadenza("train", *common, "--epochs", "1", "--embedding", "16", "--hidden", "32", "--layers", "2",
                "--dropout", "0", "--lr", "3e-3", "--val-split", "0.3", "--seed", "3", "--save-dir", swift)
        shutil.copytree(swift, torch_run)
        ended = train_losses(swift)
        cadenza("train", *common, "--resume", os.path.join(swift, "last.safetensors"), "--epochs", "2", "--save-dir", swift)
        torchrun(1, "--shards", os.path.join(WORK, "shards"), "--resume", os.path.join(torch_run, "last.safetensors"),
                 "--epochs", "2", "--threads", "1", "--save-dir", torch_run)
        by_cadenza = [r for r in train_losses(swift) if r[0] == 2]
        by_torch = [r for r in train_losses(torch_run) if r[0] == 2]
        self.assertGreater(len(by_cadenza), 5)
        self.assertEqual([s for _, s, _ in by_torch], [s for _, s, _ in by_cadenza])
        self.assertEqual(by_torch[0][1], ended[-1][1] + 1, "the step count goes on")
        for (_, step, a), (_, _, b) in zip(by_cadenza, by_torch):
            self.assertLessEqual(abs(a - b) / a, 1e-4, f"step {step}: cadenza {a}, trainer {b}")
        a, b = log_rows(swift, "val")[-1][2], log_rows(torch_run, "val")[-1][2]
        self.assertLessEqual(abs(a - b) / a, 1e-4, f"validation loss: cadenza {a}, trainer {b}")
        # It goes on from where the first epoch ended (a new epoch starts from a zero state, so a
        # little above it), far below a fresh model's loss (about ln V).
        fresh = ended[0][2]
        self.assertLess(by_torch[0][2], ended[-1][2] + 0.5 * (fresh - ended[-1][2]))

        # Fine-tuning: the weights only, a new optimizer, schedule and batch shape.
        tuned = os.path.join(WORK, "tuned")
        torchrun(1, "--shards", os.path.join(WORK, "shards"), "--finetune", os.path.join(swift, "best.safetensors"),
                 "--epochs", "1", "--max-steps", "3", "--batch-size", "2", "--seq-len", "16", "--dropout", "0",
                 "--threads", "1", "--save-dir", tuned)
        steps = train_losses(tuned)
        self.assertEqual([s for _, s, _ in steps], [1, 2, 3])
        self.assertLess(steps[0][2], ended[-1][2] + 0.5 * (fresh - ended[-1][2]))


if __name__ == "__main__":
    unittest.main()
