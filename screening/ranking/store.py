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
import os
import struct
import zipfile
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
    source: BinaryIO | str,
    ids: np.ndarray,
    settings: FeatureSettings,
    *,
    vectorisers: bool = True,
) -> Features:
    """The features `features_save` wrote for the pool `ids` with `settings`.

    `source` is an open file or the file's path: from a path the matrix's arrays are mapped
    from the file (read-only, paged in as used) rather than copied out of it: at 100k
    references (a 250 MB file) 0.14 s instead of 1.1 s (0.07 CPU s instead of 0.6).
    `vectorisers=False` reads the matrix only (the vocabularies are the slow part to read):
    enough to train and score, not to place a query text (the cold start) in the pool's space.
    Raises StoredFeaturesUnusable when the file is another pool's, other settings' or damaged.
    """
    try:
        with np.load(source, allow_pickle=False) as stored:
            if int(stored["format"][0]) != FORMAT:
                raise StoredFeaturesUnusable("written in another format")
            if stored["settings"].tobytes().decode() != _settings_json(settings):
                raise StoredFeaturesUnusable("built with other settings")
            if not np.array_equal(stored["ids"], np.asarray(ids, dtype=np.int64)):
                raise StoredFeaturesUnusable("built for another pool")
            shape = tuple(int(n) for n in stored["shape"])
            arrays = _mapped(source) if isinstance(source, str | os.PathLike) else None
            mapped = arrays is not None
            if arrays is None:
                arrays = {name: stored[name] for name in _MATRIX}
            matrix = sp.csr_matrix(
                (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape, copy=False
            )
            matrix.check_format(full_check=True)
            # Mapped, the zip's CRC is not checked (reading it is what costs): a damaged index
            # is caught above, a damaged weight here if it is not a finite number. The matrix
            # stays read-only: training slices its rows, scoring multiplies, neither writes
            # (TF-IDF's column indices are unsorted; nothing here sorts them in place).
            if mapped and not np.isfinite(matrix.data).all():
                raise StoredFeaturesUnusable("weights that are not numbers")
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


_MATRIX = ("data", "indices", "indptr")


def _mapped(path: str | os.PathLike) -> dict[str, np.ndarray] | None:
    """The matrix's arrays of the .npz at `path`, mapped read-only from the file where
    np.savez stored them (uncompressed); None when one of them cannot be mapped (then they
    are read)."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for name in _MATRIX:
            info = archive.getinfo(f"{name}.npy")
            if info.compress_type != zipfile.ZIP_STORED:
                return None
            raw.seek(info.header_offset)
            header = raw.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                raise StoredFeaturesUnusable("damaged archive")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            start = info.header_offset + 30 + name_length + extra_length
            raw.seek(start)
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
            else:
                return None
            if dtype.hasobject or fortran or len(shape) != 1:
                raise StoredFeaturesUnusable(f"{name} is not a plain array")
            offset = raw.tell()
            if offset - start + shape[0] * dtype.itemsize > info.file_size:
                raise StoredFeaturesUnusable(f"{name} is truncated")
            if shape[0] == 0:
                arrays[name] = np.empty(0, dtype=dtype)
            else:
                arrays[name] = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)
    return arrays


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
