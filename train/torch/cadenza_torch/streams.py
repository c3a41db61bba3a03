"""Batches for truncated back-propagation through time, exactly as `cadenza train` makes them
(Sources/Training/BatchStreams.swift): each epoch the training files are put in a seeded order
(Fisher-Yates with SplitMix64), each transposed by a seeded number of semitones within
+-augment and the piano range, concatenated into one virtual stream, and the stream is cut into
B equal segments; step s gives row b the tokens [s*T, s*T+T] of segment b (inputs the first T,
targets the last T), so row b of step s+1 continues row b of step s and its LSTM state carries.
Same seed, same files: the same batches as Cadenza's, token for token. Nothing per epoch is
materialised beyond the order: rows are gathered from the corpus with numpy.
"""
import numpy as np

MASK64 = (1 << 64) - 1


class SplitMix64:
    """Sources/NN/RandomGenerator.swift: one UInt64 of state."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


def transposed_key_table(shift):
    """KEY index (12 majors from C, then 12 minors) -> the index of that key `shift` semitones up
    (Sources/Tokenization/MusicalKey.swift: the tonic moves, the mode stays)."""
    return np.array([(12 if k >= 12 else 0) + (k % 12 + shift) % 12 for k in range(24)], dtype=np.int64)


class Corpus:
    """Training files as one flat uint16 array plus offsets, and each file's pitch range."""

    def __init__(self, files, pitch_ids, key_ids):
        self.pitch_ids = tuple(pitch_ids)
        self.key_ids = tuple(key_ids)
        if self.key_ids[1] > self.key_ids[0] and self.key_ids[1] - self.key_ids[0] != 24:
            raise ValueError("a KEY block has 24 ids")
        lengths = np.array([len(f) for f in files], dtype=np.int64)
        self.starts = np.zeros(len(files) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        self.tokens = np.concatenate(files).astype(np.uint16, copy=False) if files else np.zeros(0, np.uint16)
        lo, hi = self.pitch_ids
        self.lowest = np.full(len(files), -1, dtype=np.int64)
        self.highest = np.full(len(files), -1, dtype=np.int64)
        for i, f in enumerate(files):
            f = np.asarray(f)
            p = f[(f >= lo) & (f < hi)]
            if p.size:
                self.lowest[i], self.highest[i] = int(p.min()), int(p.max())

    @property
    def file_count(self):
        return len(self.starts) - 1


class BatchStreams:
    def __init__(self, corpus, batch_size, seq_len, augment, seed, epoch):
        self.corpus, self.B, self.T = corpus, batch_size, seq_len
        rng = SplitMix64(seed ^ ((0xD1B54A32D192ED03 * (epoch + 1)) & MASK64))
        n = corpus.file_count
        indices = list(range(n))
        for i in range(n - 1, 0, -1):
            j = rng.next() % (i + 1)
            indices[i], indices[j] = indices[j], indices[i]
        lo, hi = corpus.pitch_ids
        shifts = []
        for i in indices:
            lowest, highest = int(corpus.lowest[i]), int(corpus.highest[i])
            shift = 0
            if augment > 0 and lowest >= 0:
                down = max(-augment, lo - lowest)
                up = min(augment, hi - 1 - highest)
                shift = down + rng.next() % (up - down + 1)
            elif augment > 0:
                rng.next()
            shifts.append(shift)
        self.order = np.array(indices, dtype=np.int64)
        self.shifts = np.array(shifts, dtype=np.int64)
        lengths = corpus.starts[1:] - corpus.starts[:-1]
        self.piece_starts = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths[self.order], out=self.piece_starts[1:])
        self.segment_length = int(self.piece_starts[-1]) // batch_size if batch_size > 0 else 0
        self.key_tables = {s: transposed_key_table(s) for s in set(shifts) if s != 0}

    @property
    def steps_per_epoch(self):
        return (self.segment_length - 1) // self.T if self.segment_length > 0 else 0

    def rows(self, step, rows):
        """(len(rows), T+1) int64 token ids of step `step` for the given global rows."""
        assert 0 <= step < self.steps_per_epoch
        rows = np.asarray(rows, dtype=np.int64)
        positions = rows[:, None] * self.segment_length + step * self.T + np.arange(self.T + 1)[None, :]
        piece = np.searchsorted(self.piece_starts, positions, side="right") - 1
        files = self.order[piece]
        ids = self.corpus.tokens[self.corpus.starts[files] + positions - self.piece_starts[piece]].astype(np.int64)
        shift = self.shifts[piece]
        lo, hi = self.corpus.pitch_ids
        pitch = (ids >= lo) & (ids < hi) & (shift != 0)
        ids[pitch] += shift[pitch]
        k0, k1 = self.corpus.key_ids
        if k1 > k0:
            key = (ids >= k0) & (ids < k1) & (shift != 0)
            for s, table in self.key_tables.items():
                m = key & (shift == s)
                ids[m] = k0 + table[ids[m] - k0]
        return ids
