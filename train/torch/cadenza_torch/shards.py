"""Reading an export of `cadenza tokenize --export` (format: ../README.md, "Token shards"):
manifest.json names every file, its part (tokens-I-of-N.safetensors), its index there and its
split, made by Cadenza with the rule `cadenza train` uses. Everything is checked against the
manifest before use: shapes, dtypes, offsets, token counts and ids below the vocabulary size.
"""
import json
import os

import numpy as np
from safetensors import safe_open

FORMAT, VERSION = "cadenza-token-shards", 1


class ShardError(Exception):
    pass


class Export:
    def __init__(self, directory):
        path = os.path.join(directory, "manifest.json")
        if not os.path.isfile(path):
            parts = [n for n in os.listdir(directory) if n.startswith("manifest-")] if os.path.isdir(directory) else []
            hint = (f"merge the parts first: cadenza tokenize --merge {directory}" if parts
                    else f"export one with: cadenza tokenize --export {directory} DATA_DIR...")
            raise ShardError(f"{path}: no merged manifest; {hint}")
        try:
            with open(path) as f:
                m = json.load(f)
        except (OSError, ValueError) as e:
            raise ShardError(f"{path}: cannot read: {e}")
        if not isinstance(m, dict) or m.get("format") != FORMAT or m.get("version") != VERSION:
            raise ShardError(f"{path}: not a {FORMAT} manifest of version {VERSION}")
        self.directory, self.manifest = directory, m
        self.vocabulary_json = m["vocabulary"]
        self.vocabulary_size = int(m["vocabulary_size"])
        self.pitch_ids = tuple(m["token_ids"]["pitch"])
        self.key_ids = tuple(m["token_ids"]["key"])
        self.corpus_hash = m["corpus_hash"]
        self.corpus_files = int(m["corpus_files"])
        self.validation_fraction = float(m["validation_fraction"])
        self.entries = m["files"]
        self._parts = {}

    def _part(self, k):
        if k not in self._parts:
            name = self.manifest["tokens_files"][k]
            path = os.path.join(self.directory, name)
            try:
                with safe_open(path, framework="numpy") as f:
                    meta = f.metadata() or {}
                    tokens, offsets = f.get_tensor("tokens"), f.get_tensor("offsets")
            except Exception as e:  # safetensors raises several types for a bad file
                raise ShardError(f"{path}: not a readable token shard: {e}")
            if meta.get("cadenza_shards") != "1" or meta.get("vocabulary") != self.vocabulary_json:
                raise ShardError(f"{path}: not a part of this export (metadata or vocabulary differs)")
            if tokens.dtype != np.uint16 or tokens.ndim != 1 or offsets.dtype != np.int64 or offsets.ndim != 1:
                raise ShardError(f"{path}: expected tokens U16 [total] and offsets I64 [files+1]")
            if offsets.size < 1 or offsets[0] != 0 or offsets[-1] != tokens.size or np.any(np.diff(offsets) < 0):
                raise ShardError(f"{path}: the offsets do not run from 0 to {tokens.size} in order")
            if tokens.size and int(tokens.max()) >= self.vocabulary_size:
                raise ShardError(f"{path}: token id {int(tokens.max())} is outside the vocabulary 0..<{self.vocabulary_size}")
            self._parts[k] = (tokens, offsets)
        return self._parts[k]

    def tokens_of(self, entry):
        tokens, offsets = self._part(int(entry["shard"]))
        i = int(entry["index"])
        if i + 1 >= offsets.size:
            raise ShardError(f"{entry['path']}: index {i} beyond the {offsets.size - 1} files of its part")
        t = tokens[offsets[i]:offsets[i + 1]]
        if t.size != int(entry["tokens"]):
            raise ShardError(f"{entry['path']}: {t.size} tokens in its part, the manifest says {entry['tokens']}")
        return t

    def split(self, name):
        """Token arrays of the files of one split ("train" or "validation"), in corpus order
        (views into the parts, which stay loaded until release())."""
        return [self.tokens_of(e) for e in self.entries if e["split"] == name]

    def release(self):
        self._parts.clear()
