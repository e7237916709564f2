"""What every page may read: the vocabulary's labels, so that templates spell no stage, status or
role by hand (`{{ vocabulary.stage_labels.full_text }}`, or `{{ code|label }}` from the
`vocabulary` template library)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.http import HttpRequest

from .vocabulary import Decision, ReviewType, Role, Stage, Status, VoteChoice

# Built once: the words do not change while the process runs, and every render reads them.
VOCABULARY = MappingProxyType(
    {
        "stage_labels": Stage.labels(),
        "status_labels": Status.labels(),
        "vote_labels": VoteChoice.labels(),
        "decision_labels": Decision.labels(),
        "review_type_labels": ReviewType.labels(),
        "role_labels": Role.labels(),
        "stages": list(Stage),
        "roles": list(Role),
    }
)


def vocabulary(request: HttpRequest) -> dict[str, Any]:
    """The vocabulary's labels and codes, as `vocabulary` in every template's context."""
    return {"vocabulary": VOCABULARY}
