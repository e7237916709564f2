"""The whole-review archive's file format: one zip, checked whole before anything is written.

Members:
- `manifest.json`: {"format": "reviewtool-archive", "format_version": 1, "app_version",
  "created_at", "project": slug, "tables": {name: row count}, "files": {path: sha256}, "notes"}
- `tables/<name>.jsonl`: one JSON object per line, one line per row;
- `files/...`: the stored files the rows name (a search's export, a report's PDF).

Pure: bytes and plain values in and out, no Django. The services say which tables there are and
what their rows mean (screening/services/archive_tables.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

FORMAT = "reviewtool-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables/"
FILES_DIR = "files/"
_CHUNK = 1024 * 1024


class ArchiveError(ValueError):
    """An archive this app cannot restore: the message names the member and, where known, the
    line; nothing has been written when it is raised."""


def _encode(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not archived")


def row_line(row: dict[str, Any]) -> bytes:
    """One row as the line the archive stores."""
    return (
        json.dumps(row, default=_encode, ensure_ascii=False, separators=(",", ":")) + "\n"
    ).encode()


def table_member(name: str) -> str:
    return f"{TABLES_DIR}{name}.jsonl"


@dataclass
class ArchiveWriter:
    """Writes an archive to a binary file object, a table or a file at a time (streamed: a table
    is never held in memory whole). `close` writes the manifest last, with the counts and hashes."""

    out: IO[bytes]
    project: str
    app_version: str
    notes: dict[str, str] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._zip = zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED)

    def write_table(self, name: str, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        with self._zip.open(table_member(name), "w", force_zip64=True) as member:
            for row in rows:
                member.write(row_line(row))
                count += 1
        self.tables[name] = count
        return count

    def write_file(self, path: str, chunks: Iterable[bytes]) -> str:
        """Store a file under files/`path`; its member name, which the row then names."""
        name = f"{FILES_DIR}{path}"
        if name in self.files:
            raise ArchiveError(f"{name}: stored twice")
        digest = hashlib.sha256()
        with self._zip.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                digest.update(chunk)
                member.write(chunk)
        self.files[name] = digest.hexdigest()
        return name

    def abort(self) -> None:
        """Give up a partly written archive (it has no manifest, so it is never restored)."""
        with contextlib.suppress(OSError, ValueError):
            self._zip.close()

    def close(self, *, created_at: dt.datetime) -> dict[str, Any]:
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": self.app_version,
            "created_at": created_at.isoformat(),
            "project": self.project,
            "tables": self.tables,
            "files": self.files,
            "notes": self.notes,
        }
        self._zip.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        self._zip.close()
        return manifest


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app_version: str
    created_at: str
    project: str
    tables: dict[str, int]
    files: dict[str, str]


def _manifest(data: bytes) -> Manifest:
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArchiveError(f"{MANIFEST}: not valid JSON ({error})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ArchiveError(f"{MANIFEST}: this is not a {FORMAT} file")
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveError(f"{MANIFEST}: format_version must be a whole number, not {version!r}")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"archive format version {version} is newer than this app reads "
            f"({FORMAT_VERSION}): upgrade the app first"
        )
    tables, files = raw.get("tables"), raw.get("files")
    if not isinstance(tables, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in tables.items()
    ):
        raise ArchiveError(f"{MANIFEST}: tables must map each table to its row count")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise ArchiveError(f"{MANIFEST}: files must map each file to its sha256")
    project = raw.get("project")
    if not isinstance(project, str) or not project:
        raise ArchiveError(f"{MANIFEST}: project must name the project's slug")
    return Manifest(
        format_version=version,
        app_version=str(raw.get("app_version", "")),
        created_at=str(raw.get("created_at", "")),
        project=project,
        tables=tables,
        files=files,
    )


# What zipfile raises on a damaged member: a bad header or CRC, bad compressed data, a cut-off
# stream, a compression method or flag byte it does not know (NotImplementedError), the
# encrypted bit set (RuntimeError: a password is required).
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)


class ArchiveReader:
    """An archive opened for reading. Opening checks the zip and the manifest (format, version);
    `verify` reads every member through and checks the row counts, every line's JSON and the
    file hashes. Nothing should be written before both pass."""

    def __init__(self, source: IO[bytes], *, max_file_bytes: int | None = None) -> None:
        try:
            self._zip = zipfile.ZipFile(source)
        except _UNREADABLE as error:
            raise ArchiveError(f"not a zip archive ({error})") from None
        self._names = set(self._zip.namelist())
        if MANIFEST not in self._names:
            raise ArchiveError(f"{MANIFEST}: missing; this is not a {FORMAT} file")
        self.manifest = _manifest(self._read(MANIFEST))
        for name in self.manifest.tables:
            if table_member(name) not in self._names:
                raise ArchiveError(f"{table_member(name)}: missing from the archive")
        for name in self.manifest.files:
            if name not in self._names:
                raise ArchiveError(f"{name}: missing from the archive")
            # The size the zip declares bounds what reading it gives (zipfile stops there), so
            # a stored file is never read into memory beyond the limit.
            size = self._zip.getinfo(name).file_size
            if max_file_bytes is not None and size > max_file_bytes:
                raise ArchiveError(
                    f"{name}: {size} bytes, more than the {max_file_bytes} a stored file may be"
                )

    def _read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except _UNREADABLE as error:
            raise ArchiveError(f"{name}: cannot be read ({error})") from None

    def rows(self, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """(line number, row) of a table, each line checked to be a JSON object."""
        member = table_member(name)
        if name not in self.manifest.tables:
            raise ArchiveError(f"{member}: not listed in the manifest")
        try:
            with self._zip.open(member) as stream:
                for number, line in enumerate(stream, start=1):
                    try:
                        row = json.loads(line)
                    except (UnicodeDecodeError, json.JSONDecodeError) as error:
                        raise ArchiveError(
                            f"{member} line {number}: not valid JSON ({error})"
                        ) from None
                    if not isinstance(row, dict):
                        raise ArchiveError(f"{member} line {number}: a row must be a JSON object")
                    yield number, row
        except ArchiveError:
            raise
        except _UNREADABLE as error:
            raise ArchiveError(f"{member}: cannot be read ({error})") from None

    def verify(self) -> None:
        """Every table has the rows the manifest counts and every file the hash it gives."""
        for name, expected in self.manifest.tables.items():
            found = sum(1 for _ in self.rows(name))
            if found != expected:
                raise ArchiveError(
                    f"{table_member(name)}: {found} rows, the manifest says {expected}"
                )
        for name, expected in self.manifest.files.items():
            if file_hash(self, name) != expected:
                raise ArchiveError(f"{name}: its sha256 differs from the manifest's; damaged?")

    def chunks(self, name: str) -> Iterator[bytes]:
        if name not in self.manifest.files:
            raise ArchiveError(f"{name}: not listed in the manifest's files")
        try:
            with self._zip.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    yield chunk
        except _UNREADABLE as error:
            raise ArchiveError(f"{name}: cannot be read ({error})") from None

    def read_file(self, name: str) -> bytes:
        return b"".join(self.chunks(name))


def file_hash(reader: ArchiveReader, name: str) -> str:
    digest = hashlib.sha256()
    for chunk in reader.chunks(name):
        digest.update(chunk)
    return digest.hexdigest()
