"""What the ranker reads of a reference: its words, weighted by TF-IDF over the project's pool.

The vectoriser is fitted once per pool (every reference of a project's stage, labelled or not:
TF-IDF needs no labels, so fitting it on the whole pool leaks nothing) and its matrix is kept, so
that a retrain after a vote refits only the small linear model on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize


@dataclass(frozen=True)
class FeatureSettings:
    """How the text becomes numbers; the defaults are the benchmark's choice (RESULTS.md)."""

    ngram_max: int = 2
    min_df: int = 2
    max_df: float = 0.95
    stop_words: str | None = "english"
    sublinear_tf: bool = True
    # Character n-grams (within word boundaries) stacked beside the words: they catch spelling
    # variants and word parts ("metagenom-ic/-ics") that word features split; 0 leaves them out.
    char_ngram_max: int = 0
    char_weight: float = 0.5


@dataclass
class Features:
    """The fitted vectorisers and the pool's matrix (one l2-normalised row per reference)."""

    settings: FeatureSettings
    words: TfidfVectorizer | None
    chars: TfidfVectorizer | None
    matrix: sp.csr_matrix


def reference_text(title: str, abstract: str, keywords: str = "") -> str:
    """The text a reviewer judges at title/abstract: title, abstract and keywords."""
    return " ".join(part.strip() for part in (title, abstract, keywords) if part and part.strip())


def _vectoriser(settings: FeatureSettings, pool_size: int, *, chars: bool) -> TfidfVectorizer:
    # A tiny pool (a new project, a test) cannot honour min_df=2 with max_df<1 (sklearn refuses
    # a max_df below min_df in documents), so small pools keep every term.
    small = pool_size < 20
    common = {
        "min_df": 1 if small else settings.min_df,
        "max_df": 1.0 if small else settings.max_df,
        "sublinear_tf": settings.sublinear_tf,
        "dtype": np.float64,
    }
    if chars:
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, settings.char_ngram_max), **common
        )
    return TfidfVectorizer(
        ngram_range=(1, settings.ngram_max), stop_words=settings.stop_words, **common
    )


def _fit(vectoriser: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix | None:
    try:
        return vectoriser.fit_transform(texts)
    except ValueError:
        # Empty vocabulary: every text is empty or stop words. The ranker then falls back to
        # import order, which is what the reviewer would have had without ranking.
        return None


def features_build(texts: Sequence[str], settings: FeatureSettings | None = None) -> Features:
    """Fit the vectoriser(s) on the whole pool and keep the matrix."""
    settings = settings or FeatureSettings()
    words = _vectoriser(settings, len(texts), chars=False)
    blocks = []
    word_matrix = _fit(words, texts)
    if word_matrix is None:
        words = None
    else:
        blocks.append(word_matrix)
    chars = None
    if settings.char_ngram_max >= 3:
        chars = _vectoriser(settings, len(texts), chars=True)
        char_matrix = _fit(chars, texts)
        if char_matrix is None:
            chars = None
        else:
            blocks.append(char_matrix * settings.char_weight)
    if not blocks:
        matrix = sp.csr_matrix((len(texts), 1), dtype=np.float64)
    elif len(blocks) == 1:
        matrix = blocks[0].tocsr()
    else:
        matrix = normalize(sp.hstack(blocks, format="csr"))
    return Features(settings=settings, words=words, chars=chars, matrix=matrix)


def features_transform(features: Features, texts: Sequence[str]) -> sp.csr_matrix:
    """Rows for texts outside the pool (a query), in the pool's feature space."""
    blocks = []
    if features.words is not None:
        blocks.append(features.words.transform(texts))
    if features.chars is not None:
        blocks.append(features.chars.transform(texts) * features.settings.char_weight)
    if not blocks:
        return sp.csr_matrix((len(texts), features.matrix.shape[1]), dtype=np.float64)
    if len(blocks) == 1:
        return blocks[0].tocsr()
    return normalize(sp.hstack(blocks, format="csr"))
