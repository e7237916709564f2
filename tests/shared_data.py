"""Where the real exports and labelled sets of ../shared/data live, and a skip when they do not.

A fresh clone outside the workplace has no ../shared; tests that read it skip with this reason,
and the project's own small fixtures keep every format and rule covered.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get(
        "REVIEWTOOL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)

requires_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"{SHARED_DATA} is absent (a clone outside the workplace); the project's own fixtures cover the formats",
)


def shared_file(*parts: str) -> Path:
    return SHARED_DATA.joinpath(*parts)
