"""The ranker's features per project and stage, kept as a file between retrains.

A retrain looks for the file of its pool (named by the digest of the pool's ids and the feature
settings, screening.ranking.store); found, it reads the matrix and refits only the linear model;
missing, stale or damaged, it builds TF-IDF again and replaces the file. A file that cannot be
read is never an error: it costs one rebuild. One file per project and stage is kept, under the
default storage (MEDIA_ROOT) at ranking/<project>/<stage>/.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Sequence

import numpy as np
from django.core.files import File
from django.core.files.storage import default_storage

from ..models import Project
from ..ranking.features import Features, FeatureSettings, features_build
from ..ranking.store import StoredFeaturesUnusable, features_load, features_save, pool_digest

log = logging.getLogger(__name__)


def _folder(project: Project, stage: str) -> str:
    return f"ranking/{project.pk}/{stage}"


def _name(project: Project, stage: str, digest: str) -> str:
    return f"{_folder(project, stage)}/features-{digest[:40]}.npz"


def pool_features(
    project: Project,
    stage: str,
    ids: np.ndarray,
    texts: Callable[[], Sequence[str]],
    *,
    settings: FeatureSettings | None = None,
    vectorisers: bool = True,
) -> tuple[Features, bool]:
    """The features of the pool `ids` (import order) and whether they were read, not built.

    `texts` gives the pool's texts in the same order; it is only called when they are built.
    `vectorisers=False`: the stored vocabularies are not read (see features_load).
    """
    settings = settings or FeatureSettings()
    name = _name(project, stage, pool_digest(ids, settings))
    if default_storage.exists(name):
        try:
            path = _local_path(name)
            if path is not None:  # mapped from the file, not copied out of it (features_load)
                return features_load(path, ids, settings, vectorisers=vectorisers), True
            with default_storage.open(name, "rb") as handle:
                return features_load(handle, ids, settings, vectorisers=vectorisers), True
        except (StoredFeaturesUnusable, OSError) as error:
            log.warning("ranking features %s rebuilt: %s", name, error)
    features = features_build(list(texts()), settings)
    _store(project, stage, name, features, ids)
    return features, False


def _local_path(name: str) -> str | None:
    try:
        return default_storage.path(name)
    except NotImplementedError:  # a storage without local files: the file is read through it
        return None


def _store(project: Project, stage: str, name: str, features: Features, ids: np.ndarray) -> None:
    """Replace the stage's file with these features; a failure to write only costs a rebuild."""
    try:
        with tempfile.TemporaryFile() as spool:
            features_save(features, ids, spool)
            spool.seek(0)
            if default_storage.exists(name):  # damaged, or another retrain's of the same pool
                default_storage.delete(name)
            saved = default_storage.save(name, File(spool, name=name))
            if saved != name:  # another retrain stored the same pool meanwhile: keep theirs
                default_storage.delete(saved)
                saved = name
    except OSError as error:
        log.warning("ranking features %s not stored: %s", name, error)
        return
    _remove_others(project, stage, keep=saved)


def _remove_others(project: Project, stage: str, *, keep: str | None) -> None:
    """Delete the stage's stored files but `keep` (None: every one)."""
    folder = _folder(project, stage)
    try:
        _, files = default_storage.listdir(folder)
    except OSError:
        return
    for file in files:
        if f"{folder}/{file}" != keep:
            with contextlib.suppress(OSError):  # another retrain removed it first
                default_storage.delete(f"{folder}/{file}")


def ranking_features_forget(project: Project, stage: str) -> None:
    """Drop the stage's stored features: the next retrain builds them."""
    _remove_others(project, stage, keep=None)
