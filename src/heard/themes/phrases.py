"""Key phrases and readable labels for groups of responses.

Phrases are word n-grams (one to three words) scored by class-based TF-IDF: how much
more often a phrase is used inside a theme than across all responses. A phrase may
not start or end with a stop word ("the staff", "staff were" are out; "staff were
lovely" is kept as a phrase only through its content words), and longer phrases win
over the single words they contain when they carry most of the same weight, so
labels read like something a person would write ("waiting times", "parking at the
hospital") rather than a list of single words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

__all__ = ["STOP_WORDS", "key_phrases", "label_from_phrases", "surface_forms", "weak_phrase"]

# A compact English stop-word list, plus words that say nothing about a theme in
# feedback ("really", "would", "also"); kept here so labels never depend on a download.
STOP_WORDS = frozenset(
    """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each even ever every few for from further get gets getting got had hadn't has
hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's lot lots me more
most much must mustn't my myself no nor not now of off on once one only or other ought our ours
ourselves out over own quite rather really same shan't she she'd she'll she's should shouldn't
so some still such than that that's the their theirs them themselves then there there's these
they they'd they'll they're they've thing things this those though through thus to too under
until up upon us very was wasn't we we'd we'll we're we've were weren't what what's when when's
where where's which while who who's whom why why's will with won't would wouldn't yes yet you
you'd you'll you're you've your yours yourself yourselves im ive dont didnt cant wont isnt wasnt
doesnt couldnt wouldnt shouldnt havent hasnt arent werent thats theres youre theyre lets ok okay
etc via per within without may might shall went go going goes come came made make makes say said
says told tell know knew think thought felt feel feels want wanted need needed well good great
one two many much sure always never often sometimes already back way ways n/a na nil anything
something everything someone everyone anyone yeah yes actually basically honestly literally
probably maybe perhaps please like nobody somebody everybody bit little lots new old first last
next big small able keep kept put take took taken give gave given ask asked asking look looking
looked see seen saw another else instead around especially usually just really totally
completely absolutely definitely certainly anyway though although
""".split()  # noqa: SIM905 - one word per line would be 400 lines
)

_TOKEN = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")

#: Stop words that may join the words of a three-word phrase: they make noun phrases
#: ("mum and dad", "parking at the hospital", "letter a year"). Others in the middle make
#: a clipped clause ("teachers need adoption-aware", "email has happened"), not a label.
CONNECTORS = frozenset(
    "a an the and or of for to with in on at by from about after before between into per".split()  # noqa: SIM905
)

#: Words that cannot carry a label on their own: numbers, spans of time and "nothing".
#: A label phrase needs at least one other word ("six months" and "twice a year" say how
#: long or how often, not what about; "court date" and "letter a year" are fine).
WEAK_LABEL_WORDS = frozenset(
    """
zero three four five six seven eight nine ten eleven twelve twenty thirty hundred twice
third fourth half couple several times time day days week weeks weekend fortnight month
months year years hour hours minute minutes today yesterday tomorrow morning afternoon
evening night ago age ages nothing period date dates
""".split()  # noqa: SIM905 - one word per line would be 60 lines
)


#: Tokens some exports use in place of a removed name ("Dr XXXX"): never part of a phrase.
_MASK = re.compile(r"^x{3,}$")


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower().replace("’", "'")) if not _MASK.match(t)]


def _analyzer(text: str) -> list[str]:
    """Word 1-3 grams that neither start nor end with a stop word."""
    toks = _tokens(text)
    grams: list[str] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        if tok in STOP_WORDS or len(tok) < 3:
            continue
        grams.append(tok)
        for j in (i + 1, i + 2):
            if j >= n:
                break
            last = toks[j]
            if last in STOP_WORDS or len(last) < 3:
                continue
            middle = toks[i + 1]
            if j == i + 2 and middle in STOP_WORDS and middle not in CONNECTORS:
                continue
            # no n-gram may span more than one stop word in the middle
            grams.append(" ".join(toks[i : j + 1]))
    return grams


def key_phrases(
    texts: Sequence[str],
    groups: np.ndarray,
    n_groups: int,
    top_n: int = 8,
    max_docs: int = 30000,
    random_state: int = 0,
) -> list[list[tuple[str, float]]]:
    """The ``top_n`` key phrases of each group, best first, with their scores.

    ``groups[i]`` is the group (0..n_groups-1) of ``texts[i]``; -1 is ignored.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    groups = np.asarray(groups)
    idx = np.flatnonzero(groups >= 0)
    if len(idx) > max_docs:
        rng = np.random.default_rng(random_state)
        idx = np.sort(rng.choice(idx, size=max_docs, replace=False))
    docs = [texts[int(i)] for i in idx]
    min_df = 2 if len(docs) >= 40 else 1
    vectorizer = CountVectorizer(analyzer=_analyzer, min_df=min_df, dtype=np.float32)
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError:  # no phrase survived (all stop words or empty)
        return [[] for _ in range(n_groups)]
    counts.data[:] = 1.0  # a phrase counts once per response
    vocab = np.asarray(vectorizer.get_feature_names_out())
    membership = sparse.csr_matrix(
        (np.ones(len(idx), dtype=np.float32), (groups[idx], np.arange(len(idx)))),
        shape=(n_groups, len(idx)),
    )
    class_counts = np.asarray((membership @ counts).todense())  # (groups, phrases)
    group_sizes = np.asarray(membership.sum(axis=1)).ravel()
    total = class_counts.sum(axis=0)
    n_words = np.array([v.count(" ") + 1 for v in vocab])
    # c-TF-IDF: share of the group's responses using the phrase, times how specific it is
    # to the group; longer phrases get a small bonus because they read better.
    doc_share = class_counts / np.maximum(group_sizes[:, None], 1)
    idf = np.log1p(len(idx) / np.maximum(total, 1))
    scores = doc_share * idf[None, :] * (1.0 + 0.25 * (n_words - 1))[None, :]
    results: list[list[tuple[str, float]]] = []
    for g in range(n_groups):
        row = scores[g]
        min_count = max(2.0, 0.02 * group_sizes[g]) if group_sizes[g] >= 20 else 1.0
        eligible = np.flatnonzero(class_counts[g] >= min_count)
        order = eligible[np.argsort(-row[eligible], kind="stable")][: top_n * 6]
        chosen: list[tuple[str, float]] = []
        for j in order:
            phrase = str(vocab[j])
            words = set(phrase.split())
            replaced = False
            clash = False
            for k, (other, score) in enumerate(chosen):
                other_words = set(other.split())
                if words == other_words or _stems(phrase) == _stems(other):
                    clash = True  # the same phrase in another form ("school", "schools")
                    break
                if words <= other_words:
                    clash = True  # already said by a longer phrase
                    break
                if other_words <= words and row[j] >= 0.6 * score:
                    chosen[k] = (phrase, max(score, float(row[j])))  # longer phrase says it better
                    replaced = True
                    break
                if len(words & other_words) >= 1 and len(words) > 1 and len(other_words) > 1:
                    clash = True  # overlapping phrases read as repetition
                    break
            if clash:
                continue
            if not replaced:
                chosen.append((phrase, float(row[j])))
            # drop duplicates created by replacement
            seen: set[str] = set()
            chosen = [c for c in chosen if not (c[0] in seen or seen.add(c[0]))]  # type: ignore[func-returns-value]
            if len(chosen) >= top_n:
                break
        results.append(chosen)
    return results


def _stem(word: str) -> str:
    """A crude stem, enough to see that "trainers" and "training" say the same thing."""
    return word[:5] if len(word) > 5 else word.rstrip("s")


def _stems(phrase: str) -> set[str]:
    return {_stem(w) for w in phrase.split()}


#: Answers that say there is nothing to say. A theme made of them is labelled with what
#: people wrote ("Answered “nothing” or “none”"), since a bare "None" reads as no label.
#: (Phrases never start with a stop word, so "no comment" and "n/a" cannot be phrases.)
NOTHING_ANSWERS = frozenset({"nothing", "none", "nope", "nil", "nada"})


def weak_phrase(phrase: str) -> bool:
    """True when no word of ``phrase`` can carry a label (see WEAK_LABEL_WORDS)."""
    content = [w for w in phrase.split() if w not in STOP_WORDS]
    return not content or all(w in WEAK_LABEL_WORDS for w in content)


def label_from_phrases(
    phrases: Sequence[str],
    fallback: str,
    surface: dict[str, str] | None = None,
    short_answers: bool = False,
) -> str:
    """A short readable label from the best key phrases: "Waiting times, appointment letters".

    ``surface`` maps a lower-case phrase to how people wrote it ("camhs" -> "CAMHS").
    ``short_answers`` says the group's responses are a few words each: then a group led by
    "nothing" / "none" is labelled with what people answered (in long stories "nothing"
    means something else: "there is nothing for us").
    """
    picked: list[str] = []
    used: set[str] = set()
    phrases = list(phrases)
    nothing = [p for p in phrases[:4] if p in NOTHING_ANSWERS]
    lead = bool(phrases) and phrases[0] in NOTHING_ANSWERS
    if short_answers and lead and 2 * len(nothing) >= len(phrases[:4]):
        return "Answered " + " or ".join(f"“{p}”" for p in nothing[:2])
    # A phrase of two or more words near the top reads better than a single word: lead with it.
    multi = [p for p in phrases[:3] if " " in p]
    if multi and " " not in phrases[0]:
        phrases.remove(multi[0])
        phrases.insert(0, multi[0])
    # Phrases that can carry a label first; weak ones ("six months") only when nothing else.
    for candidates in ([p for p in phrases if not weak_phrase(p)], phrases):
        for phrase in candidates:
            words = _stems(phrase)
            if words & used:
                continue
            picked.append(surface.get(phrase, phrase) if surface else phrase)
            used |= words
            if len(picked) == 2 or (len(picked) == 1 and len(phrase.split()) >= 3):
                break
        if picked:
            break
    if not picked:
        return fallback
    label = ", ".join(picked)
    return label[:1].upper() + label[1:]


def surface_forms(phrases: Sequence[str], texts: Sequence[str], limit: int = 300) -> dict[str, str]:
    """How each phrase is usually written in ``texts`` when people capitalise it.

    Acronyms and names keep their capitals in labels ("CAMHS", "Virtual School");
    ordinary words stay in lower case. A capital that only starts a sentence
    ("Excellent care.") does not count, and odd mixtures ("vIsIt") are never used.
    """
    forms: dict[str, str] = {}
    sample = list(texts[:limit])
    for phrase in phrases:
        pattern = re.compile(
            r"\b" + r"\W+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE
        )
        counts: dict[str, int] = {}
        for text in sample:
            for match in pattern.finditer(text):
                found = match.group(0)
                if _starts_sentence(text, match.start()) and _title(found.split()[0]):
                    found = found[:1].lower() + found[1:]
                counts[found] = counts.get(found, 0) + 1
        if not counts:
            continue
        total = sum(counts.values())
        best, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        # Use the capitalised form only when people mostly write it so, mid-sentence.
        if best != best.lower() and n >= 0.6 * total and all(_cased(w) for w in best.split()):
            forms[phrase] = best
    return forms


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;"


def _title(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower()


def _cased(word: str) -> bool:
    """A word written in a way a label may keep: lower, UPPER or Capitalised."""
    return word.islower() or word.isupper() or _title(word) or not word[:1].isalpha()


def rerank(
    candidates: Sequence[tuple[str, float]],
    centre: np.ndarray,
    embedder: object,
    top_n: int = 8,
    diversity: float = 0.3,
) -> list[str]:
    """Re-order candidate phrases by how well they say what the theme is about.

    Each phrase is embedded with the same model as the responses; its score mixes its
    c-TF-IDF weight with its similarity to the theme's centre, and maximal marginal
    relevance keeps the chosen phrases from repeating each other.
    """
    if not candidates:
        return []
    phrases = [p for p, _ in candidates]
    weights = np.array([w for _, w in candidates], dtype=np.float64)
    weights = weights / max(weights.max(), 1e-12)
    vecs = embedder.embed(phrases, exact=True)  # type: ignore[attr-defined]
    sim = np.clip(vecs @ centre, 0.0, 1.0)
    # A phrase must be both typical of the theme (weight) and about what the theme means (sim).
    relevance = np.sqrt(weights) * (0.3 + sim)
    chosen: list[int] = []
    available = np.ones(len(phrases), dtype=bool)
    redundancy = np.zeros(len(phrases))
    while available.any() and len(chosen) < top_n:
        score = np.where(available, relevance - diversity * redundancy, -np.inf)
        j = int(np.argmax(score))
        available[j] = False
        chosen.append(j)
        redundancy = np.maximum(redundancy, np.clip(vecs @ vecs[j], 0.0, 1.0))
    return [phrases[j] for j in chosen]
