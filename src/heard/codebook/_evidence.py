"""The codes as vectors: their embedded descriptions (three phrasings each) and examples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from heard.codebook._book import Codebook


class Embedding(Protocol):
    """What :func:`map_codebook` needs from an embedder: unit vectors for short texts."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class _Evidence:
    """Embedded descriptions (three phrasings per code) and examples."""

    k: int
    variants: np.ndarray  # (3, k, d)
    example_vectors: np.ndarray  # (m, d)
    example_codes: np.ndarray  # (m,)
    example_texts: list[str]
    description_texts: list[list[str]]  # 3 lists of k phrasings

    @classmethod
    def build(cls, codebook: Codebook, embedder: Embedding) -> _Evidence:
        k = len(codebook)
        phrasings = [
            [e.description or e.name for e in codebook],
            [f"{e.name}: {e.description}" if e.description else e.name for e in codebook],
            [e.name for e in codebook],
        ]
        examples: list[str] = []
        codes: list[int] = []
        for j, entry in enumerate(codebook):
            seen: set[str] = set()
            for example in entry.examples:
                if example.casefold() not in seen:
                    seen.add(example.casefold())
                    examples.append(example)
                    codes.append(j)
        unique = list(dict.fromkeys([t for group in phrasings for t in group] + examples))
        vecs = np.asarray(embedder.embed(unique), dtype=np.float32)
        where = {t: i for i, t in enumerate(unique)}
        variants = np.stack([vecs[[where[t] for t in group]] for group in phrasings])
        example_vectors = (
            vecs[[where[t] for t in examples]]
            if examples
            else np.zeros((0, vecs.shape[1]), np.float32)
        )
        return cls(
            k, variants, example_vectors, np.asarray(codes, dtype=np.int64), examples, phrasings
        )

    def description_similarity(self, x: np.ndarray) -> np.ndarray:
        """(n, k) the best cosine similarity between each response and a code's phrasings."""
        out = x @ self.variants[0].T
        for v in self.variants[1:]:
            np.maximum(out, x @ v.T, out=out)
        return out.astype(np.float64)

    def closest(self, x: np.ndarray, use_examples: bool) -> np.ndarray:
        """(n,) similarity of each response to its closest description (or example)."""
        best = self.description_similarity(x).max(axis=1)
        if use_examples and len(self.example_vectors):
            for start in range(0, len(x), 4096):
                part = x[start : start + 4096] @ self.example_vectors.T
                np.maximum(
                    best[start : start + 4096], part.max(axis=1), out=best[start : start + 4096]
                )
        return best
