"""The worker's embedding model, and the passage vectors the stories app already stored."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from heard_web.stories.models import Passage

#: The worker keeps one embedding model loaded between runs (it takes seconds to load).
_EMBEDDER: Any = None


def embedder() -> Any:
    """The worker's embedding model (loaded once; vectors cached by the library on disk)."""
    global _EMBEDDER
    if _EMBEDDER is None:
        from heard.embed import Embedder

        _EMBEDDER = Embedder()
    return _EMBEDDER


class _StoredFirst:
    """The library's embedder, except that stories with stored passage vectors reuse them.

    The library asks for the same texts' vectors more than once in a run; the last answer is
    kept, so nothing is embedded twice.
    """

    def __init__(self, base: Any, stored: dict[str, tuple[Any, list[str]]]) -> None:
        self.base = base
        self.stored = stored
        self._last: tuple[list[str], Any] | None = None
        self.reused = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def embed_documents(self, texts: Any, progress: Any = None) -> Any:
        import numpy as np

        from heard.embed import Passages

        texts = list(texts)
        if self._last is not None and self._last[0] == texts:
            return self._last[1]
        todo = [i for i, t in enumerate(texts) if t not in self.stored]
        fresh = (
            self.base.embed_documents([texts[i] for i in todo], progress=progress) if todo else None
        )
        where = {i: j for j, i in enumerate(todo)}
        vectors, pvecs, owners, ptexts = [], [], [], []
        for i, text in enumerate(texts):
            if i in where:
                j = where[i]
                rows = np.flatnonzero(fresh.passage_owner == j)
                vectors.append(fresh.vectors[j])
                pvecs.extend(fresh.passage_vectors[rows])
                ptexts.extend(fresh.passage_text[r] for r in rows)
                owners.extend([i] * len(rows))
            else:
                vecs, parts = self.stored[text]
                weights = np.asarray([max(len(p), 1) for p in parts], dtype=np.float64)
                mean = (vecs.astype(np.float64) * weights[:, None]).sum(axis=0)
                vectors.append((mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32))
                pvecs.extend(vecs)
                ptexts.extend(parts)
                owners.extend([i] * len(parts))
                self.reused += 1
        dims = self.base_dimensions()
        result = Passages(
            vectors=np.asarray(vectors, dtype=np.float32).reshape(len(texts), dims),
            passage_vectors=np.asarray(pvecs, dtype=np.float32).reshape(len(owners), dims),
            passage_owner=np.asarray(owners, dtype=np.int64),
            passage_text=ptexts,
        )
        self._last = (texts, result)
        return result

    @staticmethod
    def base_dimensions() -> int:
        from heard.embed import DIMENSIONS

        return DIMENSIONS


def _stored_passages(ids: list[int], texts: list[str]) -> dict[str, tuple[Any, list[str]]]:
    """Passage vectors the stories app stored, for stories whose passages cover their text."""
    import numpy as np

    from heard.embed import DIMENSIONS, MODEL_NAME

    by_story: dict[int, list[tuple[int, str, bytes]]] = defaultdict(list)
    chunk = 2000
    for start in range(0, len(ids), chunk):
        for sid, index, text, blob in (
            Passage.objects.filter(story_id__in=ids[start : start + chunk], model_name=MODEL_NAME)
            .exclude(embedding=None)
            .values_list("story_id", "index", "text", "embedding")
            .iterator(chunk_size=chunk)
        ):
            by_story[sid].append((index, text, bytes(blob)))
    stored: dict[str, tuple[Any, list[str]]] = {}
    for sid, text in zip(ids, texts, strict=True):
        parts = sorted(by_story.get(sid, []))
        if not parts or any(len(b) != 4 * DIMENSIONS for _, _, b in parts):
            continue
        vecs = np.stack([np.frombuffer(b, dtype=np.float32) for _, _, b in parts])
        stored[text] = (vecs, [t for _, t, _ in parts])
    return stored
