"""A whole review carried to another server: written to one archive file, restored from one.

The format: screening/archive/format.py; what it holds: archive_tables.py; writing it:
archive_export.py; restoring it: archive_restore.py."""

from __future__ import annotations

from .archive_export import project_archive_write
from .archive_restore import RestoreResult, project_archive_restore

__all__ = ["RestoreResult", "project_archive_restore", "project_archive_write"]
