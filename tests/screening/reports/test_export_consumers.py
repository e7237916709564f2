"""The decisions and extraction CSVs read by R's own `read.csv`, as a reviewer analysing them in R
would: `included` a number R can sum, TRUE/FALSE logical, and text with commas, quotes, line
breaks and non-ASCII letters cell for cell as we hold it (issue 16). Skipped where R is absent
(`apt-get install r-base-core`; .ci/run installs it)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from screening.services.imports import SearchDetails, search_import
from tests.extraction.conftest import A_VALUES, CODEBOOK
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"
TITLES = [
    'Badges, "microcredentials" and naïve learners: Ærø, São Paulo, 東京',
    "Open badges; nurses, pharmacists and 'others'",
    "Εκπαίδευση, ελληνικά",
    "Undecided, still",
]
SOURCE = "".join(
    f"TY  - JOUR\nTI  - {title}\nAU  - Müller, Jörg\nAU  - O'Brien, Seán\nPY  - 2021\nER  - \n\n"
    for title in TITLES
)
NOTE = 'first line\nsecond, "quoted" line — é'
EXTRACTION_NOTE = 'online modules, "blended"\nthen a workshop — Zürich'

# R prints each value as the hex of its UTF-8 bytes, so a line break or quote inside a cell
# cannot be confused with R's own output.
R_SCRIPT = """
d <- read.csv(Sys.getenv("EXPORT_CSV"), check.names = FALSE, encoding = "UTF-8")
hex <- function(x) paste(as.character(charToRaw(enc2utf8(as.character(x)))), collapse = "")
out <- function(key, x) cat(key, "\\t", hex(x), "\\n", sep = "")
out("rows", nrow(d))
for (name in strsplit(Sys.getenv("EXPORT_COLUMNS"), "|", fixed = TRUE)[[1]]) {
  out(paste0("class:", name), class(d[[name]]))
  if (is.numeric(d[[name]]) || is.logical(d[[name]])) {
    out(paste0("sum:", name), sum(d[[name]], na.rm = TRUE))
    out(paste0("na:", name), sum(is.na(d[[name]])))
  }
  for (i in seq_len(nrow(d))) out(paste0("cell:", name, ":", i), d[[name]][i])
}
"""


def _rscript() -> str:
    found = shutil.which("Rscript")
    if found is None:
        pytest.skip("Rscript is not on PATH: install R (apt-get install -y r-base-core) to run")
    return found


def _read_in_r(tmp_path: Path, content: bytes, columns: list[str]) -> dict[str, str]:
    """What R's read.csv makes of the file: each column's class, sum and NA count, and cells."""
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    env = os.environ | {
        "EXPORT_CSV": str(path),
        "EXPORT_COLUMNS": "|".join(columns),
        "LC_ALL": "C.UTF-8",
    }
    done = subprocess.run(
        [_rscript(), "--vanilla", "-e", R_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pairs = (line.split("\t", 1) for line in done.stdout.splitlines() if "\t" in line)
    return {key: bytes.fromhex(value).decode() for key, value in pairs}


def _cells(read: dict[str, str], column: str) -> list[str]:
    rows = int(read["rows"])
    return [read[f"cell:{column}:{i}"] for i in range(1, rows + 1)]


def _python_cells(content: bytes, column: str) -> list[str]:
    return [row[column] for row in csv.DictReader(io.StringIO(content.decode()))]


@pytest.fixture
def decided(api, project, lead, reviewer_a, reviewer_b) -> list[int]:
    """r0 and r1 included at full text, r2 excluded on title and abstract (a note with a line
    break, a comma and quotes), r3 undecided."""
    search_import(
        project=project,
        data=SOURCE.encode(),
        filename="r.ris",
        details=SearchDetails(database="Embase"),
        user=lead,
    )
    items = api(lead).get(f"{BASE}/references", limit=10).json()["items"]
    by_title = {item["title"]: item["id"] for item in items}
    r0, r1, r2, _ = refs = [by_title[title] for title in TITLES]

    def vote(who: object, reference: int, stage: str, choice: str, note: str = "") -> None:
        body = {"stage": stage, "vote": choice, "note": note}
        answer = api(who).post(f"{BASE}/references/{reference}/votes", body)
        assert answer.status_code == 201, answer.content

    for reference in (r0, r1):
        for who in (reviewer_a, reviewer_b):
            vote(who, reference, TA, "include")
        pdf = io.BytesIO(pdf_with_text("Study"))
        pdf.name = "study.pdf"
        upload = api(lead).upload(f"{BASE}/references/{reference}/report", {"file": pdf})
        assert upload.status_code == 201, upload.content
        for who in (reviewer_a, reviewer_b):
            vote(who, reference, FT, "include")
    vote(reviewer_a, r2, TA, "exclude", NOTE)
    vote(reviewer_b, r2, TA, "exclude")
    return refs


def test_r_reads_the_decisions_csv_labels_as_integers_and_the_text_as_held(
    api, decided, lead, tmp_path
) -> None:
    _rscript()
    answer = api(lead).get(f"{BASE}/export", format="csv")
    assert answer.status_code == 200, answer.content
    columns = ["id", "title", "authors", "included", "included_full_text", "TA reviewer_a note"]
    read = _read_in_r(tmp_path, answer.content, columns)

    assert read["rows"] == "4"
    # 0/1 with empty cells for undecided: an integer column with NA, which R sums.
    assert read["class:included"] == "integer"
    assert read["class:included_full_text"] == "integer"
    assert (read["sum:included"], read["na:included"]) == ("2", "1")
    ids = [int(i) for i in _cells(read, "id")]
    included = dict(zip(ids, _cells(read, "included"), strict=True))
    r0, r1, r2, r3 = decided
    assert (included[r0], included[r1], included[r2], included[r3]) == ("1", "1", "0", "NA")
    # Text cell for cell as we hold it, and as Python's csv module reads the same file.
    titles = dict(zip(ids, _cells(read, "title"), strict=True))
    assert [titles[r] for r in decided] == TITLES
    assert _cells(read, "authors") == ["Müller, Jörg; O'Brien, Seán"] * 4
    notes = dict(zip(ids, _cells(read, "TA reviewer_a note"), strict=True))
    assert notes[r2] == NOTE
    for column in ("title", "authors", "TA reviewer_a note"):
        assert _cells(read, column) == _python_cells(answer.content, column)


def test_r_reads_the_extraction_csv_booleans_as_logical(
    api, decided, lead, reviewer_a, tmp_path
) -> None:
    _rscript()
    assert api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 200
    r0, r1 = decided[:2]
    for reference, values in ((r0, A_VALUES[0]), (r1, A_VALUES[1])):
        body = {"values": values | {"Notes": EXTRACTION_NOTE}}
        answer = api(reviewer_a).post(f"{BASE}/references/{reference}/extractions", body)
        assert answer.status_code == 201, answer.content
    answer = api(lead).get(f"{BASE}/extractions", format="csv")
    assert answer.status_code == 200, answer.content
    read = _read_in_r(tmp_path, answer.content, ["reference", "Randomised", "Sample size", "Notes"])

    assert read["rows"] == "2"
    assert read["class:Randomised"] == "logical"
    assert read["class:Sample size"] == "integer"
    values = dict(zip(_cells(read, "reference"), _cells(read, "Randomised"), strict=True))
    assert (values[str(r0)], values[str(r1)]) == ("TRUE", "FALSE")
    assert read["sum:Sample size"] == str(A_VALUES[0]["Sample size"] + A_VALUES[1]["Sample size"])
    assert _cells(read, "Notes") == [EXTRACTION_NOTE] * 2
