"""The main job: from a table of responses to themes, sentiment and quotes.

>>> result = find_themes(df, text="comment", by=["service"], time="date")
>>> result.themes, result.assignments, result.to_html()
"""

from __future__ import annotations

import re
import time as _time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heard._describe import _describe, _ThemeInfo
from heard.errors import SettingsError
from heard.ingest import Responses, from_frame
from heard.progress import Progress
from heard.result import NO_THEME_ID, NO_THEME_LABEL, SENTIMENT_LABELS, Analysis

__all__ = ["Analysis", "analyse", "find_themes"]

_QUESTION_KIND_WORDS = {
    "praise": "asks what was good",
    "improve": "asks what to improve",
    "neutral": "neither or both",
}

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+|&[a-z]+;|&#\d+;", re.IGNORECASE)


# Markdown images ("![Image](link)") and redaction placeholders ("[NAME]", "[NAME-2]").
_MARKUP = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|\[[A-Z][A-Z_]*(?:-\d+)?\]")


def _phrase_text(text: str) -> str:
    """Text for key phrases: without links, HTML entities, images and redaction placeholders
    (a label such as "Thank you [NAME" says nothing)."""
    return _URL.sub(" ", _MARKUP.sub(" ", text))


def find_themes(
    data: pd.DataFrame | Responses,
    text: str | None = None,
    *,
    id: str | None = None,
    by: str | Sequence[str] | None = None,
    time: str | None = None,
    question: str | None = None,
    codebook: Any = None,
    n_themes: int | str = "auto",
    random_state: int = 0,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    embedder: Any = None,
    progress: bool | Progress = False,
    title: str | None = None,
    redact: bool = True,
    known_names: Sequence[str] = (),
    pseudonyms: str = "none",
) -> Analysis:
    """Find the themes in a table of responses.

    Parameters
    ----------
    data: a DataFrame, or :class:`heard.ingest.Responses` from :func:`heard.read`.
    text, id, by, time: column names (see :func:`heard.ingest.read`).
    question: the column holding the question each response answers, when one
        export holds answers to several ("What was good?", "What could we do
        better?"). Sentiment then reads a short answer in the light of its question:
        "Nothing" is praise under the second and a complaint under the first. Themes
        do not change.
    codebook: a :class:`heard.codebook.Codebook` or a path to one: map responses to
        its themes, and propose new themes for what fits none.
    n_themes: "auto" (by the amount of text: about 10 for 400 short comments, 21 for
        10,000 or for 2,000 long stories, at most 25) or a number.
    random_state: the seed; the same input and seed give the same result.
    cache_dir, use_cache: the embedding cache (see :mod:`heard.embed`).
    progress: True for progress bars on stderr.
    redact: remove personal data (names, phone numbers, addresses...) from the texts
        before anything else happens, so that it is never embedded, quoted or written
        out. On by default; ``False`` says so in the report.
    known_names: names of participants, staff or children to redact wherever they appear.
    pseudonyms: "none" ([NAME]), "story" or "project" ([NAME-1], [NAME-2]...).
    """
    if isinstance(data, Responses):
        responses = data
    else:
        responses = from_frame(data, text=text, id=id, by=by, time=time, question=question)
    return analyse(
        responses,
        codebook=codebook,
        n_themes=n_themes,
        random_state=random_state,
        cache_dir=cache_dir,
        use_cache=use_cache,
        embedder=embedder,
        progress=progress,
        title=title,
        redact=redact,
        known_names=known_names,
        pseudonyms=pseudonyms,
    )


def analyse(
    responses: Responses,
    *,
    codebook: Any = None,
    n_themes: int | str = "auto",
    random_state: int = 0,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    embedder: Any = None,
    progress: bool | Progress = False,
    title: str | None = None,
    redact: bool = True,
    known_names: Sequence[str] = (),
    pseudonyms: str = "none",
) -> Analysis:
    """Analyse checked responses (see :func:`find_themes`)."""
    from heard import __version__
    from heard.embed import MODEL_NAME, Embedder
    from heard.sentiment import SentimentModel
    from heard.themes import ThemeModel

    if not isinstance(random_state, int | np.integer) or isinstance(random_state, bool):
        raise SettingsError(f"random_state must be a whole number, not {random_state!r}.")
    bar = progress if isinstance(progress, Progress) else Progress(enabled=bool(progress))
    timings: dict[str, float] = {}
    started = _time.perf_counter()
    texts = [t.strip() for t in responses.texts]
    n = len(texts)
    redaction_counts: dict[str, int] = {}
    if redact:
        from heard.redact import Redactor

        t0 = _time.perf_counter()
        redactor = Redactor(pseudonyms=pseudonyms, known_names=list(known_names))  # type: ignore[arg-type]
        with bar.stage("Removing personal data", total=n, unit="text") as update:
            redactions = redactor.redact_many(texts, progress=update)
        texts = [r.text for r in redactions]
        for r in redactions:
            for kind, count in r.counts.items():
                redaction_counts[kind] = redaction_counts.get(kind, 0) + count
        timings["redact"] = _time.perf_counter() - t0
    usable = np.array([bool(t) for t in texts], dtype=bool)

    if embedder is None:
        embedder = Embedder(cache_dir=cache_dir, use_cache=use_cache)
    t0 = _time.perf_counter()
    with bar.stage("Embedding responses", unit="text") as update:
        passages = embedder.embed_documents(texts, progress=update)
    vectors = passages.vectors
    timings["embed"] = _time.perf_counter() - t0

    from threadpoolctl import threadpool_limits

    t0 = _time.perf_counter()
    # The matrices here are small: one BLAS thread is faster than several fighting
    # over two cores (measured: 2.1 s against 5-9 s for 10,000 responses).
    with (
        bar.stage("Finding themes", total=3) as update,
        threadpool_limits(limits=1, user_api="blas"),
    ):
        model = ThemeModel(n_themes=n_themes, random_state=int(random_state))
        phrase_texts = [_phrase_text(t) for t in texts]
        book = None
        match = None
        if codebook is not None:
            from heard.codebook import Codebook, map_codebook

            book = codebook if isinstance(codebook, Codebook) else Codebook.from_file(codebook)
            match = map_codebook(book, vectors, texts, embedder, random_state=int(random_state))
            model.fit_codebook(vectors, match.primary, match.assigned, usable, scores=match.scores)
        else:
            # The texts set the theme count and, for long stories, add their words; a
            # placeholder stays a word there ("thank [NAME]" is about a person).
            model.fit(vectors, usable, texts=[_URL.sub(" ", t) for t in texts])
        update(1, 3)
        themes_info = _describe(
            model, embedder, phrase_texts, texts, vectors, passages, int(random_state), book
        )
        if book is None:
            from heard.themes.multi import also_about

            model.assigned_ |= also_about(
                phrase_texts, themes_info.phrases, model.scores_, model.labels_
            )
        update(3, 3)
    timings["themes"] = _time.perf_counter() - t0

    t0 = _time.perf_counter()
    with bar.stage("Sentiment", total=1) as update:
        sentiment_model = SentimentModel(embedder=embedder)
        questions = (
            responses.data[responses.question].tolist() if responses.question is not None else None
        )
        sentiment = sentiment_model.predict(vectors, texts, questions=questions)
        update(1, 1)
    timings["sentiment"] = _time.perf_counter() - t0

    result = _assemble(responses, texts, model, themes_info, sentiment)
    timings["total"] = _time.perf_counter() - started
    settings: dict[str, Any] = {
        "title": title,
        "source": responses.source,
        "format": responses.format,
        "text": responses.text,
        "id": responses.id,
        "by": list(responses.by),
        "time": responses.time,
        "question": responses.question,
        "responses": n,
        "codebook": getattr(codebook, "name", None)
        or (str(codebook) if isinstance(codebook, str | Path) else None),
        "n_themes": n_themes,
        "random_state": int(random_state),
        "model": MODEL_NAME,
        "heard_version": __version__,
        "redact": bool(redact),
        "redactions": dict(sorted(redaction_counts.items())),
        "pseudonyms": pseudonyms if redact else None,
    }
    if questions is not None:
        # How sentiment read the questions: responses per kind of question.
        kinds = pd.Series(sentiment_model.question_kinds(questions)).value_counts()
        settings["question_kinds"] = {
            _QUESTION_KIND_WORDS[k]: int(kinds.get(k, 0)) for k in _QUESTION_KIND_WORDS
        }
    responses_df, themes_df, assignments_df, quotes_df = result
    return Analysis(
        responses=responses_df,
        themes=themes_df,
        assignments=assignments_df,
        quotes=quotes_df,
        settings=settings,
        timings=timings,
    )


def _assemble(
    responses: Responses,
    texts: list[str],
    model: Any,
    info: _ThemeInfo,
    sentiment: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = len(texts)
    data = responses.data
    if responses.id is not None:
        ids = [str(v) for v in data[responses.id]]
    else:
        ids = [str(i) for i in range(n)]
    k = model.n_themes_
    labels = model.labels_
    sublabels = model.sublabels_
    theme_ids = [str(t + 1) for t in range(k)]

    def sub_id(t: int, s: int) -> str:
        return f"{t + 1}.{s + 1}" if s >= 0 and t >= 0 else ""

    primary_theme_id = [theme_ids[t] if t >= 0 else NO_THEME_ID for t in labels]
    primary_label = [info.labels[t] if t >= 0 else NO_THEME_LABEL for t in labels]
    primary_sub_id = [sub_id(int(t), int(s)) for t, s in zip(labels, sublabels, strict=True)]
    primary_sub = [
        info.sub_labels[t][s] if t >= 0 and s >= 0 else ""
        for t, s in zip(labels, sublabels, strict=True)
    ]
    frame: dict[str, Any] = {"response_id": ids, "text": texts}
    for col in responses.by:
        frame[col] = data[col].to_numpy()
    if responses.time is not None:
        frame["time"] = pd.to_datetime(data[responses.time]).to_numpy()
    frame.update(
        theme_id=primary_theme_id,
        theme=primary_label,
        subtheme_id=primary_sub_id,
        subtheme=primary_sub,
        sentiment=sentiment["sentiment"].to_numpy(),
        sentiment_score=np.round(sentiment["sentiment_score"].to_numpy(dtype=np.float64), 4),
    )
    responses_df = pd.DataFrame(frame)

    # Assignments: main theme first, then other themes by score.
    rows_r: list[int] = []
    rows_t: list[int] = []
    assigned = model.assigned_
    scores = model.scores_
    for i in range(n):
        t0 = int(labels[i])
        if t0 < 0:
            rows_r.append(i)
            rows_t.append(-1)
            continue
        rows_r.append(i)
        rows_t.append(t0)
        others = np.flatnonzero(assigned[i])
        others = others[others != t0]
        if len(others):
            others = others[np.argsort(-scores[i, others], kind="stable")]
            rows_r.extend([i] * len(others))
            rows_t.extend(int(o) for o in others)
    rr = np.asarray(rows_r, dtype=np.int64)
    tt = np.asarray(rows_t, dtype=np.int64)
    is_primary = np.zeros(len(rr), dtype=bool)
    is_primary[np.r_[0, np.flatnonzero(np.diff(rr)) + 1] if len(rr) else []] = True
    score = np.where(tt >= 0, scores[rr, np.maximum(tt, 0)] if k else 0.0, 0.0)
    assignments_df = pd.DataFrame(
        {
            "response_id": [ids[i] for i in rr],
            "theme_id": [theme_ids[t] if t >= 0 else NO_THEME_ID for t in tt],
            "theme": [info.labels[t] if t >= 0 else NO_THEME_LABEL for t in tt],
            "subtheme_id": [
                primary_sub_id[i] if p else "" for i, p in zip(rr, is_primary, strict=True)
            ],
            "subtheme": [primary_sub[i] if p else "" for i, p in zip(rr, is_primary, strict=True)],
            "score": np.round(score.astype(np.float64), 4),
            "primary": is_primary,
        }
    )

    # Themes table.
    sent = responses_df["sentiment"].to_numpy()
    sscore = responses_df["sentiment_score"].to_numpy(dtype=np.float64)
    mentions = assigned.sum(axis=0) if k else np.zeros(0)
    rows: list[dict[str, Any]] = []

    def theme_row(
        tid: str,
        parent: str,
        level: int,
        label: str,
        phrases: list[str],
        mask: np.ndarray,
        mention_count: int,
        source: str,
    ) -> dict[str, Any]:
        size = int(mask.sum())
        row: dict[str, Any] = {
            "theme_id": tid,
            "parent_id": parent,
            "level": level,
            "label": label,
            "key_phrases": "; ".join(phrases[:8]),
            "size": size,
            "mentions": int(mention_count),
            "share": round(size / n, 4) if n else 0.0,
        }
        for name in SENTIMENT_LABELS:
            row[name] = round(float((sent[mask] == name).mean()), 4) if size else 0.0
        row["sentiment_score"] = round(float(sscore[mask].mean()), 4) if size else 0.0
        row["source"] = source
        return row

    quote_rows: list[dict[str, Any]] = []

    def add_quotes(tid: str, picked: list[int]) -> None:
        for rank, i in enumerate(picked, start=1):
            quote_rows.append(
                {
                    "theme_id": tid,
                    "rank": rank,
                    "response_id": ids[i],
                    "text": info.best_passage.get(i, texts[i]),
                }
            )

    for t in range(k):
        mask = labels == t
        rows.append(
            theme_row(
                theme_ids[t],
                "",
                1,
                info.labels[t],
                info.phrases[t],
                mask,
                int(mentions[t]),
                info.sources[t],
            )
        )
        add_quotes(theme_ids[t], info.quotes[t])
        for s, slabel in enumerate(info.sub_labels[t]):
            smask = mask & (sublabels == s)
            sid = sub_id(t, s)
            rows.append(
                theme_row(
                    sid,
                    theme_ids[t],
                    2,
                    slabel,
                    info.sub_phrases[t][s],
                    smask,
                    int(smask.sum()),
                    info.sources[t],
                )
            )
            add_quotes(sid, info.sub_quotes[t][s])
    none_mask = labels < 0
    rows.append(
        theme_row(NO_THEME_ID, "", 1, NO_THEME_LABEL, [], none_mask, int(none_mask.sum()), "none")
    )
    themes_df = pd.DataFrame(rows)
    quotes_df = pd.DataFrame(quote_rows, columns=["theme_id", "rank", "response_id", "text"])
    return responses_df, themes_df, assignments_df, quotes_df
