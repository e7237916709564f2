"""What may import what: the import contracts in pyproject.toml ([tool.importlinter]) hold.

The pure core imports no Django; pages, API and tasks sit over services, services over
selectors, selectors over models; no service imports a page, the API or a task; no import cycle
between the rooms of an app. A breach of any of them fails `make test` here.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "pyproject.toml")


def _lint(monkeypatch: pytest.MonkeyPatch, *extra: tuple[str, str]) -> int:
    """Exit status of import-linter on the project, with `extra` imports added to its graph."""
    monkeypatch.chdir(ROOT)
    build = grimp.build_graph

    def graph_with_extra_imports(*args: object, **kwargs: object) -> grimp.ImportGraph:
        graph = build(*args, **kwargs)
        for importer, imported in extra:
            graph.add_import(importer=importer, imported=imported)
        return graph

    monkeypatch.setattr(grimp, "build_graph", graph_with_extra_imports)
    return lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True)


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _lint(monkeypatch) == 0


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # A parser reaching for the database.
        ("screening.importers.ris", "django.db"),
        # A service importing a page, and one starting a task by importing it.
        ("screening.services.screening", "screening.views.screening"),
        ("screening.services.dedup", "screening.tasks"),
        # A read importing a write.
        ("screening.selectors.queue", "screening.services.screening"),
        # A model importing the reads above it: a cycle between two rooms.
        ("screening.models.references", "screening.selectors.statuses"),
        # Extraction's services importing its pages.
        ("extraction.services", "extraction.views"),
        # Two pure modules importing each other (workflow reads the vocabulary): only the cycle
        # contract sees this one.
        ("screening.vocabulary", "screening.workflow"),
    ],
)
def test_a_breach_breaks_a_contract(
    monkeypatch: pytest.MonkeyPatch, importer: str, imported: str
) -> None:
    assert _lint(monkeypatch, (importer, imported)) == 1
