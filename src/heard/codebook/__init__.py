"""Codebook mode: map responses to codes the user names, and say what fits none.

The user supplies codes (themes), each with a name, a one-line description and
optionally a few example responses. Every response gets the codes it fits (several
when it is about several things), a score per code and a main code, or "fits none";
theme discovery then proposes new themes for the responses that fit none.

How it works, and why (figures: ``benchmarks/codebook_eval.py`` on the NHS v6
framework, 46 codes, 6,656 responses scored; micro-F1 unless said):

* Zero-shot (no examples): a response's score for a code is its cosine similarity to
  the code's description, the best of "description", "name: description" and the name
  (0.38; the description alone 0.37, "name: description" alone 0.26). Letting the
  corpus re-estimate how common each code is, from such weak evidence, made it worse.
* Few-shot (examples): a softmax classifier on the response vector plus TF-IDF word
  features, trained on the examples and the descriptions, then refined on the corpus
  being coded, which is there to use at prediction time: (1) how common each code is
  in this corpus is estimated by EM (Saerens et al., 2002), because examples come in
  about equal numbers per code while real codes are very unequal; (2) the classifier
  is refitted, three rounds, on the responses it is confident about (self-training);
  (3) a second pass re-weights the first classifier by the shares the refined one
  counts, and refits again. With 20 examples per code: 0.64 (one pass 0.62, without
  EM 0.62, without self-training 0.57, without word features 0.60, without clauses
  0.63), against 0.67 for a logistic regression trained on every labelled response.
  All steps are deterministic.
* Several codes: a response also gets every code scoring at least ``RELATIVE`` times
  its best (few-shot) or within ``ZERO_SHOT_MARGIN`` of it (zero-shot), and any code
  that one of its clauses clearly fits on its own ("the wait was long, but the staff
  were kind"): one vector per response blurs the second topic.
* Fits none: a response whose closest description or example is less similar than
  ``min_score`` (cosine) fits no code.
"""

from __future__ import annotations

# Besides the public names, the embedder protocol and the tuning constants stay importable
# from here, as they were before this module became a package (setting one here changes
# nothing: each is read in the module that defines it).
from heard.codebook._book import MAX_CODES, Codebook, CodebookEntry
from heard.codebook._evidence import Embedding  # noqa: F401
from heard.codebook._fewshot import (  # noqa: F401
    C_EXAMPLES,
    C_REFIT,
    CONFIDENT,
    EM_ROWS,
    EXAMPLE_WEIGHT,
    LBFGS_MEMORY,
    MAX_ITER,
    MAX_REFIT_ROWS,
    MAX_WORDS,
    PASS_EXAMPLES,
    PASS_ROWS,
    PASSES,
    PRIOR_ROWS,
    REFIT_ITER,
    ROUNDS,
    WORD_WEIGHT,
)
from heard.codebook._match import (  # noqa: F401
    CLAUSE_CONFIDENT,
    CLAUSE_GAP,
    CLAUSE_WORDS,
    FEW_SHOT_FLOOR,
    MAX_CLAUSE_RESPONSES,
    MAX_CLAUSE_TEXT,
    RELATIVE,
    ZERO_SHOT_CLAUSE,
    ZERO_SHOT_CLAUSE_CLEAR,
    ZERO_SHOT_FLOOR,
    ZERO_SHOT_MARGIN,
    CodebookMatch,
    clauses,
    map_codebook,
)

__all__ = [
    "MAX_CODES",
    "clauses",
    "Codebook",
    "CodebookEntry",
    "CodebookMatch",
    "map_codebook",
]
