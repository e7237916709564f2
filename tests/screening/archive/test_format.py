"""The archive's file format, pure: written and read back, and every way a file is refused."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

from screening.archive import format as format_module
from screening.archive.format import ArchiveError, ArchiveReader, ArchiveWriter

WHEN = dt.datetime(2026, 12, 8, 1, 2, 3, tzinfo=dt.UTC)


def archive(rows: list[dict] | None = None, files: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    writer = ArchiveWriter(out=out, project="a-review", app_version="0.1.0")
    writer.write_table("votes", rows if rows is not None else [{"id": 1, "at": WHEN}])
    for path, data in (files or {"reports/1/a.pdf": b"%PDF-1.4"}).items():
        writer.write_file(path, [data])
    writer.close(created_at=WHEN)
    return out.getvalue()


def rewritten(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The archive with some members replaced or added, or dropped (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    target.writestr(info.filename, changes[info.filename])
            else:
                target.writestr(info.filename, source.read(info.filename))
        for name in set(changes) - set(source.namelist()):
            if changes[name] is not None:
                target.writestr(name, changes[name])
    return out.getvalue()


def manifest_with(data: bytes, **fields: object) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        manifest = json.loads(source.read("manifest.json"))
    return rewritten(data, {"manifest.json": json.dumps({**manifest, **fields}).encode()})


def refusal(data: bytes) -> str:
    with pytest.raises(ArchiveError) as refused:
        ArchiveReader(io.BytesIO(data)).verify()
    return str(refused.value)


def test_it_reads_back_what_it_wrote() -> None:
    reader = ArchiveReader(io.BytesIO(archive()))
    reader.verify()
    assert reader.manifest.project == "a-review"
    assert reader.manifest.format_version == 1
    assert reader.manifest.tables == {"votes": 1}
    assert list(reader.rows("votes")) == [(1, {"id": 1, "at": WHEN.isoformat()})]
    assert reader.read_file("files/reports/1/a.pdf") == b"%PDF-1.4"


def test_a_newer_format_version_is_refused_with_what_to_do() -> None:
    message = refusal(manifest_with(archive(), format_version=2))
    assert message == (
        "archive format version 2 is newer than this app reads (1): upgrade the app first"
    )


@pytest.mark.parametrize(
    ("data", "names"),
    [
        (b"", "not a zip archive"),
        (b"PK\x03\x04 and then nothing of a zip", "not a zip archive"),
        (rewritten(archive(), {"manifest.json": None}), "manifest.json: missing"),
        (rewritten(archive(), {"manifest.json": b"{"}), "manifest.json: not valid JSON"),
        (manifest_with(archive(), format="something-else"), "not a reviewtool-archive file"),
        (manifest_with(archive(), format_version="1"), "format_version must be a whole number"),
        (manifest_with(archive(), tables={"votes": -1}), "tables must map"),
        (rewritten(archive(), {"tables/votes.jsonl": None}), "tables/votes.jsonl: missing"),
        (
            rewritten(archive(), {"tables/votes.jsonl": b'{"id": 1}\n{"id": 2\n'}),
            "tables/votes.jsonl line 2: not valid JSON",
        ),
        (
            rewritten(archive(), {"tables/votes.jsonl": b"[1, 2]\n"}),
            "tables/votes.jsonl line 1: a row must be a JSON object",
        ),
        (
            rewritten(archive(), {"tables/votes.jsonl": b'{"id": 1}\n{"id": 2}\n'}),
            "tables/votes.jsonl: 2 rows, the manifest says 1",
        ),
        (
            rewritten(archive(), {"files/reports/1/a.pdf": b"%PDF-1.4 tampered"}),
            "files/reports/1/a.pdf: its sha256 differs from the manifest's",
        ),
        (
            rewritten(archive(), {"files/reports/1/a.pdf": None}),
            "files/reports/1/a.pdf: missing from the archive",
        ),
    ],
    ids=[
        "empty",
        "not a zip",
        "no manifest",
        "manifest not JSON",
        "another format",
        "version not a number",
        "negative count",
        "table missing",
        "line not JSON",
        "line not an object",
        "row count",
        "file tampered",
        "file missing",
    ],
)
def test_a_damaged_archive_is_refused_naming_the_member(data: bytes, names: str) -> None:
    assert names in refusal(data)


def test_a_file_is_stored_once() -> None:
    writer = ArchiveWriter(out=io.BytesIO(), project="a-review", app_version="0.1.0")
    writer.write_file("reports/1/a.pdf", [b"x"])
    with pytest.raises(ArchiveError, match="stored twice"):
        writer.write_file("reports/1/a.pdf", [b"x"])


def test_a_stored_file_larger_than_the_limit_is_refused_before_it_is_read() -> None:
    data = archive(files={"reports/1/a.pdf": b"%PDF" + b"0" * 2000})
    with pytest.raises(ArchiveError, match=r"files/reports/1/a.pdf: 2004 bytes, more than"):
        ArchiveReader(io.BytesIO(data), max_file_bytes=1000)
    ArchiveReader(io.BytesIO(data), max_file_bytes=2004).verify()


def test_the_format_module_imports_nothing_of_django_or_the_app() -> None:
    """It is pure (the import contracts' pure core, though pyproject.toml does not list it)."""
    source = Path(format_module.__file__).read_text()
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    assert imported <= {"__future__", *sys.stdlib_module_names}, imported


def _central_header_patched(data: bytes, member: str, offset: int, value: bytes) -> bytes:
    """The archive with bytes of `member`'s central directory header overwritten at `offset`
    (8: the flags, 10: the compression method), as damage in transit could leave it."""
    out = bytearray(data)
    name = member.encode()
    at = out.find(b"PK\x01\x02")
    while at != -1:
        length = int.from_bytes(out[at + 28 : at + 30], "little")
        if out[at + 46 : at + 46 + length] == name:
            out[at + offset : at + offset + len(value)] = value
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not found")


@pytest.mark.parametrize(
    ("offset", "value", "said"),
    [(10, (99).to_bytes(2, "little"), "compression method"), (8, b"\x01\x00", "encrypted")],
    ids=["unknown compression method", "encrypted flag"],
)
@pytest.mark.parametrize("member", ["manifest.json", "tables/votes.jsonl", "files/reports/1/a.pdf"])
def test_a_member_zip_cannot_decode_is_refused_naming_it(
    member: str, offset: int, value: bytes, said: str
) -> None:
    """zipfile answers these with NotImplementedError and RuntimeError, not BadZipFile (found
    by the damaged-bytes restore test in CI): each is the archive's own clear refusal."""
    damaged = _central_header_patched(archive(), member, offset, value)
    with pytest.raises(ArchiveError, match=member.replace(".", r"\.")) as refusal:
        ArchiveReader(io.BytesIO(damaged)).verify()
    assert said in str(refusal.value).lower()
