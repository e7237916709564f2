"""The fitted features kept between retrains: a pool's matrix and its vectorisers' vocabularies.

Building TF-IDF is most of a retrain (about 4 s for 10,000 references, RANKING.md), and it only
changes when the pool does, so it is built once per pool and kept. The file is one .npz of plain
arrays read with `allow_pickle=False`: nothing in it is executed on reading, whoever wrote it.
It holds the pool's ids, which the reader checks, so that a file left from another pool is never
used for this one; the digest names the file so that a changed pool looks for another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from screening.ranking.features import Features, FeatureSettings, _vectoriser

# Bumped when what is stored or how it is built changes: older files are then rebuilt.
FORMAT = 1


class StoredFeaturesUnusable(ValueError):
    """The stored file is not this pool's features (another pool, other settings, damaged)."""


def pool_digest(ids: np.ndarray, settings: FeatureSettings) -> str:
    """A name for the features of this pool (its references' ids, in order) and settings."""
    digest = hashlib.sha256(f"features-v{FORMAT}:{_settings_json(settings)}".encode())
    digest.update(np.ascontiguousarray(ids, dtype="<i8").tobytes())
    return digest.hexdigest()


def _settings_json(settings: FeatureSettings) -> str:
    return json.dumps(asdict(settings), sort_keys=True)


def features_save(features: Features, ids: np.ndarray, handle: BinaryIO) -> None:
    """Write the features of the pool `ids` (one matrix row per id, in order) to `handle`."""
    matrix = features.matrix.tocsr()
    arrays = {
        "format": np.asarray([FORMAT], dtype=np.int64),
        "settings": np.frombuffer(_settings_json(features.settings).encode(), dtype=np.uint8),
        "ids": np.ascontiguousarray(ids, dtype=np.int64),
        "data": matrix.data,
        "indices": matrix.indices,
        "indptr": matrix.indptr,
        "shape": np.asarray(matrix.shape, dtype=np.int64),
    }
    for name, vectoriser in (("words", features.words), ("chars", features.chars)):
        if vectoriser is None:
            continue
        # The vocabulary as one UTF-8 blob and each term's length in bytes: plain arrays.
        encoded = [term.encode() for term in vectoriser.get_feature_names_out()]
        arrays[f"{name}_terms"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        arrays[f"{name}_lengths"] = np.fromiter(map(len, encoded), np.int64, len(encoded))
        arrays[f"{name}_idf"] = np.asarray(vectoriser.idf_, dtype=np.float64)
    np.savez(handle, **arrays)


def features_load(
    handle: BinaryIO, ids: np.ndarray, settings: FeatureSettings, *, vectorisers: bool = True
) -> Features:
    """The features `features_save` wrote for the pool `ids` with `settings`.

    `vectorisers=False` reads the matrix only (the vocabularies are the slow part to read):
    enough to train and score, not to place a query text (the cold start) in the pool's space.
    Raises StoredFeaturesUnusable when the file is another pool's, other settings' or damaged.
    """
    try:
        with np.load(handle, allow_pickle=False) as stored:
            if int(stored["format"][0]) != FORMAT:
                raise StoredFeaturesUnusable("written in another format")
            if stored["settings"].tobytes().decode() != _settings_json(settings):
                raise StoredFeaturesUnusable("built with other settings")
            if not np.array_equal(stored["ids"], np.asarray(ids, dtype=np.int64)):
                raise StoredFeaturesUnusable("built for another pool")
            shape = tuple(int(n) for n in stored["shape"])
            matrix = sp.csr_matrix(
                (stored["data"], stored["indices"], stored["indptr"]), shape=shape
            )
            matrix.check_format(full_check=True)
            if shape[0] != len(ids):
                raise StoredFeaturesUnusable("one row per reference expected")
            fitted = {"words": None, "chars": None}
            if vectorisers:
                for name in fitted:
                    if f"{name}_terms" in stored.files:
                        fitted[name] = _vectoriser_from(stored, name, settings, len(ids))
    except StoredFeaturesUnusable:
        raise
    except Exception as error:  # a truncated zip, a bad array: all of them mean a rebuild
        raise StoredFeaturesUnusable(f"unreadable ({type(error).__name__})") from error
    return Features(settings=settings, words=fitted["words"], chars=fitted["chars"], matrix=matrix)


def _vectoriser_from(
    stored: np.lib.npyio.NpzFile, name: str, settings: FeatureSettings, pool_size: int
) -> TfidfVectorizer:
    blob = stored[f"{name}_terms"].tobytes()
    ends = np.cumsum(stored[f"{name}_lengths"]).tolist()
    starts = [0, *ends[:-1]]
    terms = [blob[a:b].decode() for a, b in zip(starts, ends, strict=True)]
    idf = stored[f"{name}_idf"]
    if len(idf) != len(terms):
        raise StoredFeaturesUnusable("vocabulary and weights differ in length")
    vectoriser = _vectoriser(settings, pool_size, chars=name == "chars")
    vectoriser.set_params(vocabulary={term: i for i, term in enumerate(terms)})
    vectoriser.idf_ = idf  # sklearn's setter: a fitted transformer with these weights
    return vectoriser
